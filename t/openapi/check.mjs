// Validate an OpenAPI document (a URL or a file) with
// @seriousme/openapi-schema-validator, which checks it against the
// official OpenAPI 3.x JSON Schemas.  Exit 0 and "valid <version>", or
// exit 1 with the validator's errors.
import { Validator } from '@seriousme/openapi-schema-validator';
import { readFile } from 'node:fs/promises';

const src = process.argv[2];
if (!src) {
	console.error('usage: check.mjs URL|FILE');
	process.exit(2);
}
let text;
if (/^https?:/.test(src)) {
	const res = await fetch(src);
	if (!res.ok) {
		console.error(`GET ${src}: ${res.status}`);
		process.exit(1);
	}
	text = await res.text();
} else {
	text = await readFile(src, 'utf8');
}
const v = new Validator();
const res = await v.validate(JSON.parse(text));
if (!res.valid) {
	console.log('invalid');
	console.log(JSON.stringify(res.errors, null, 1));
	process.exit(1);
}
console.log(`valid ${v.version}`);
