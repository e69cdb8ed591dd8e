# Request bodies over 128 KiB are refused on every route but uploads,
# by nginx before it spools them and by the worker behind any front end;
# the front's own 400/414/494 answers are JSON like the API's (issue 8;
# under Apache through the vhost's ErrorDocuments).
use strict;
use warnings;
use Test::More;
use IO::Socket::INET;
use TCloud;
use SideStack;

my $u = new_user();
my $big = '{"username":"' . ('a' x 200000) . '","password":"x"}';
my $body129 = '{"name":"' . ('n' x (129 * 1024)) . '"}';

for my $base (grep { defined } $ENV{TCLOUD_URL}, $ENV{TCLOUD_URL_UNBUFFERED}) {
	my $r = api('POST', '/api/auth/login', base => $base, json => $big);
	is($r->{status}, 413, "$base: a 200 kB login body: 413");
	is($r->{json}{code}, 'too_large', '  JSON too_large');
	$r = api('POST', '/api/folders', base => $base, token => $u->{token}, json => $body129);
	is($r->{status}, 413, '  129 KiB to POST /api/folders: 413');
	# The front end's own limits, over HTTP/1.1 (over HTTP/2 nginx takes
	# a 10 kB header field): JSON through nginx's error_page, Apache's
	# vhost-level ErrorDocument.
	$r = api('GET', '/api/health?x=' . ('a' x 10000), base => $base, http1 => 1);
	is($r->{status}, 414, '  a 10 kB URI: 414');
	is($r->{json}{code}, 'uri_too_long', '  in JSON');
	$r = api('GET', '/api/health', base => $base, http1 => 1, headers => ['X-Big: ' . ('h' x 10000)]);
	is($r->{status}, 400, '  a 10 kB header (494): 400');
	is($r->{json}{code}, 'bad_request', '  in JSON');
	next if $base =~ /^https:/;	# a raw socket speaks plain HTTP only
	my ($port) = $base =~ /:(\d+)$/;
	my $s = IO::Socket::INET->new("127.0.0.1:$port") or die;
	print $s "GARBAGE\r\n\r\n";
	my $resp = join '', <$s>;
	like($resp, qr{^HTTP/1\.1 400}, '  a garbage request line: 400');
	like($resp, qr{Content-Type: application/json}i, '  JSON');
	like($resp, qr{"code":"bad_request"}, '  bad_request');
	# What nginx refuses itself before any location: JSON too.
	next unless ($ENV{TCLOUD_FRONT} // 'nginx') =~ /^nginx/;
	for my $c (['TRACE /api/health HTTP/1.1', '', 405, 'method_not_allowed'],
	    ['GET /api/health HTTP/2.0', '', 505, 'http_version_not_supported'],
	    ['POST /api/folders HTTP/1.1', "Transfer-Encoding: gzip\r\n", 501, 'not_implemented']) {
		$s = IO::Socket::INET->new("127.0.0.1:$port") or die;
		print $s "$c->[0]\r\nHost: x\r\n$c->[1]Connection: close\r\n\r\n";
		$resp = join '', <$s>;
		like($resp, qr{^HTTP/1\.1 $c->[2]}, "  $c->[0] $c->[1]: $c->[2]");
		like($resp, qr{Content-Type: application/json.*"code":"$c->[3]"}is, "  JSON $c->[3]");
	}
}
my $f = write_file(tmpdir() . '/big.bin', 'u' x (1024 * 1024));
is(api('POST', '/api/files/upload', token => $u->{token}, form => ["file=\@$f"])->{status}, 201,
    'an upload of 1 MiB still goes through');

# The worker holds the same line when the front end lets a body through
# (an older nginx config, another server).
my $side = side_stack(workers => 1, fcgid => 1, nginx_edit => sub { $_[0] =~ s/client_max_body_size 128k;/client_max_body_size 10m;/ });
my $r = api('POST', '/api/auth/login', base => $side->url, json => $big);
is($r->{status}, 413, 'worker: a 200 kB login body behind a lax front end: 413');
is($r->{json}{code}, 'too_large', '  too_large');
like($r->{json}{error}, qr/131072/, '  the worker said it');
$r = api('DELETE', "/api/folders/1", base => $side->url, token => $u->{token}, raw => 'z' x 200000, ctype => 'text/plain');
is($r->{status}, 413, '  a body on a route that takes none: 413 too');
is(api('POST', '/api/files/upload', base => $side->url, token => $u->{token}, form => ["file=\@$f"])->{status}, 201,
    '  uploads still take large bodies');
$side->stop;
api('DELETE', "/api/admin/users/$u->{id}", token => admin_token());
done_testing();
