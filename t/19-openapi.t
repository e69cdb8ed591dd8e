# GET /api/openapi.json (issue 11 §7): an OpenAPI 3.1 document generated
# from the route tables.  Every route of app/route-*.c is in it with its
# method, documented (a route without prose is marked and fails here),
# with who may call it, its body and its statuses; a real validator from
# npm accepts it and refuses a broken copy.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $root = $ENV{TCLOUD_ROOT} or BAIL_OUT('TCLOUD_ROOT not set');

# The route tables, read from the source as the browser test does.
my @routes;
for my $f (glob "$root/app/route-*.c") {
	open my $fh, '<', $f or die "$f: $!";
	local $/;
	my $src = <$fh>;
	while ($src =~ /\{\s*"(GET|POST|PUT|PATCH|DELETE|HEAD)",\s*"(\/api\/[^"]*)",\s*(WHO_\w+),\s*(\w+)/g) {
		# json_body: 1 for a JSON body; 0 or a BODY_ constant (a stream) otherwise
		push @routes, { method => $1, path => $2, who => $3, body => $4 eq '1' };
	}
}
ok(@routes >= 38, scalar(@routes) . ' routes in the tables');

my $r = api('GET', '/api/openapi.json');
is($r->{status}, 200, 'GET /api/openapi.json: 200');
like($r->{headers}{'content-type'} // '', qr{^application/json}, '  JSON');
my $doc = $r->{json};
is($doc->{openapi}, '3.1.0', '  OpenAPI 3.1.0');
ok($doc->{info}{title} && $doc->{info}{version}, '  info');
ok($doc->{components}{securitySchemes}{bearerAuth} && $doc->{components}{securitySchemes}{apiKey},
   '  bearer and API-key schemes');

my $nops = 0;
$nops += scalar keys %{ $doc->{paths}{$_} } for keys %{ $doc->{paths} };
is($nops, scalar @routes, 'exactly one operation per route');
for my $rt (@routes) {
	my $op = $doc->{paths}{ $rt->{path} }{ lc $rt->{method} };
	my $name = "$rt->{method} $rt->{path}";
	ok($op, "$name is described") or next;
	ok(!$op->{'x-tcloud-undocumented'} && $op->{summary}, "  documented: " . ($op->{summary} // 'NO'));
	my $who = { WHO_ANYONE => 'anyone', WHO_USER => 'user', WHO_ADMIN => 'admin', WHO_SESSION => 'session' }->{ $rt->{who} };
	is($op->{'x-tcloud-who'}, $who, "  who: $who");
	if ($who eq 'anyone') {
		is_deeply($op->{security}, [], '  no credentials');
	} else {
		is(scalar @{ $op->{security} }, $who eq 'session' ? 1 : 2,
		    $who eq 'session' ? '  a token only (no API key)' : '  token or API key');
		ok($op->{responses}{401} && $op->{responses}{403}, '  401 and 403');
	}
	ok($op->{requestBody}{content}{'application/json'}, '  a JSON body') if $rt->{body};
	ok($op->{responses}{500}, '  500 listed');
	my @ok = grep { /^2/ } keys %{ $op->{responses} };
	ok(@ok, '  a success status: ' . join(',', sort @ok));
	for my $p ($rt->{path} =~ /\{(\w+)\}/g) {
		ok((grep { $_->{in} eq 'path' && $_->{name} eq $p } @{ $op->{parameters} }), "  path parameter $p");
	}
}
my $up = $doc->{paths}{'/api/files/upload'}{post};
ok($up->{requestBody}{content}{'multipart/form-data'}{schema}{properties}{file}, 'upload: a multipart file part');
ok($up->{responses}{507} && $up->{responses}{409}, '  507 and 409 listed');
is($doc->{paths}{'/api/files/{id}/download'}{get}{responses}{200}{content}{'application/octet-stream'}{schema}{type},
   'string', 'download: bytes');
is_deeply($doc->{components}{schemas}{Error}{required}, ['error', 'code'], 'errors are {error, code}');

# The validator: the served document passes, a broken copy does not.
my $v = "$root/t/openapi/validate";
my $out = `$v '$ENV{TCLOUD_URL}/api/openapi.json' 2>&1`;
is($?, 0, 'the validator accepts the document') or diag $out;
like($out, qr/^valid 3\.1/m, "  $out");
my $bad = { %$doc };
delete $bad->{info};
$bad->{paths} = { '/api/health' => { get => { responses => { nope => {} } } } };
my $file = tmpdir() . '/openapi-bad.json';
open my $fh, '>', $file or die;
print $fh encode_json($bad);
close $fh;
$out = `$v '$file' 2>&1`;
isnt($?, 0, 'and refuses a broken one');
like($out, qr/invalid/, '  saying so');

done_testing();
