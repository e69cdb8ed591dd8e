# GET /api/health, unknown routes, wrong methods: the basics of SPEC §2.
use strict;
use warnings;
use Test::More;
use TCloud;

my $r = api('GET', '/api/health');
is($r->{status}, 200, 'health answers 200');
is($r->{json}{status}, 'ok', 'status ok');
is($r->{json}{db}, 'ok', 'db ok');
ok(defined $r->{json}{version}, 'version present');
like($r->{headers}{'content-type'}, qr{^application/json}, 'JSON content type');

$r = api('GET', '/api/nope');
is($r->{status}, 404, 'unknown route is 404');
is($r->{json}{code}, 'not_found', 'with code not_found');
ok(length $r->{json}{error}, 'and a sentence');

$r = api('GET', '/api/auth/login');
is($r->{status}, 405, 'GET on a POST route is 405');
is($r->{json}{code}, 'method_not_allowed', 'code method_not_allowed');
is($r->{headers}{allow}, 'POST', 'Allow names POST');

$r = api('DELETE', '/api/health');
is($r->{status}, 405, 'DELETE /api/health is 405');
like($r->{headers}{allow}, qr/GET/, 'Allow lists GET');

$r = api('HEAD', '/api/health');
is($r->{status}, 200, 'HEAD works on GET routes');

# Odd paths under /api: always a JSON client error from the worker.
for my $path ('/api/apikeys/abc', '/api/apikeys/0', '/api/apikeys/-1',
    '/api/apikeys/99999999999999999999', '/api//apikeys/1', '/api/auth/me/',
    '/api/files/1/download/..', '/api/files/%2e%2e') {
	$r = api('DELETE', $path);
	ok($r->{status} == 404 || $r->{status} == 401 || $r->{status} == 400 || $r->{status} == 405,
	    "odd path $path is a client error ($r->{status})");
	ok($r->{json} && defined $r->{json}{code}, "  ... JSON with a code") or diag $r->{body};
}

done_testing();
