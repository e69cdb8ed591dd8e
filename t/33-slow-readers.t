# Slow-reading clients cannot take the service down (issue 8): with 4
# workers, 8 clients (8 addresses) reading a public link at 1 KiB/s are
# cut off by the worker's send deadline (send_timeout, send_min_rate), so
# other clients are still served, in bounded time; and nginx's per-address
# limit lets one address hold only 4 downloads at once (429 JSON beyond).
use strict;
use warnings;
use Test::More;
use Socket;
use Time::HiRes qw(time sleep);
use TCloud;
use SideStack;

my $side = side_stack(workers => 4, conf => { send_timeout => 2, send_min_rate => '1M' });
my ($port) = $side->url =~ /:(\d+)$/;
my $u = new_user();
my %T = (token => $u->{token}, base => $side->url);
my $big = write_file(tmpdir() . '/big.bin', 'z' x (20 * 1024 * 1024));
my $r = api('POST', '/api/files/upload', %T, form => ["file=\@$big"]);
is($r->{status}, 201, 'a 20 MiB file');
my $fid = $r->{json}{id};
my $token = api('POST', "/api/files/$fid/share-link", token => $u->{token}, json => {})->{json}{token};
my $small = write_file(tmpdir() . '/small.txt', 'small');
my $sid = api('POST', '/api/files/upload', %T, form => ["file=\@$small"])->{json}{id};

# A client from address $ip that reads 1 KiB a second until the server
# closes (or $max seconds); it reports bytes read and seconds taken.
sub slow_reader {
	my ($ip, $max, $out) = @_;
	my $pid = fork();
	return $pid if $pid;
	socket(my $s, PF_INET, SOCK_STREAM, 0) or die;
	setsockopt($s, SOL_SOCKET, SO_RCVBUF, 4096);
	bind($s, pack_sockaddr_in(0, inet_aton($ip))) or die "bind $ip: $!";
	connect($s, pack_sockaddr_in($port, inet_aton('127.0.0.1'))) or die "connect: $!";
	syswrite($s, "GET /api/share/$token/download HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	my ($n, $t0) = (0, time);
	while (time - $t0 < $max) {
		my $got = sysread($s, my $buf, 1024);
		last unless $got;
		$n += $got;
		sleep 1;
	}
	write_file($out, sprintf("%d %.1f", $n, time - $t0));
	exit 0;
}

my $t0 = time;
my @kids = map { slow_reader("127.0.0.$_", 30, tmpdir() . "/slow.$_") } 2 .. 9;
sleep 1;
# Meanwhile another client keeps asking; every answer must come.
my ($served, $worst) = (0, 0);
for my $i (1 .. 5) {
	my $t = time;
	my $d = `curl -s --max-time 40 -H 'Authorization: Bearer $u->{token}' -H 'X-Forwarded-For: 198.51.100.7' --interface 127.0.0.10 @{[ $side->url ]}/api/files/$sid/download`;
	$served++ if $d eq 'small';
	$worst = time - $t if time - $t > $worst;
}
is($served, 5, 'with 8 slow readers on 4 workers, another client is served every time');
cmp_ok($worst, '<', 25, sprintf('  each answer within bounded time (worst %.1f s)', $worst));
# The workers were freed by their deadline; nginx (event-driven, cheap
# per connection) still trickles what it had buffered to each reader.
my @lines = grep { m{GET /api/share/\S+/download 200 .* (\d+)ms$} } split /\n/, read_file($side->dir . '/log/tcloud.log');
my @ms = map { m{ (\d+)ms$} ? $1 : () } @lines;
is(scalar @ms, 8, 'all 8 slow downloads ended in the workers');
my ($longest) = sort { $b <=> $a } @ms;
cmp_ok($longest // 1e9, '<', 15000, "  each held a worker at most @{[ $longest // '?' ]} ms");
kill 'TERM', @kids;
waitpid($_, 0) for @kids;

# One address: at most 4 downloads at once; the 5th is refused in JSON.
@kids = map { slow_reader('127.0.0.11', 4, tmpdir() . "/one.$_") } 1 .. 4;
sleep 1.5;
$r = `curl -s --interface 127.0.0.11 -w ' %{http_code}' -D @{[ tmpdir() ]}/fifth.hdr @{[ $side->url ]}/api/share/$token/download -o @{[ tmpdir() ]}/fifth.json`;
like($r, qr/ 429$/, 'a 5th download from one address: 429') or diag $r;
like(read_file(tmpdir() . '/fifth.json'), qr/"code":"rate_limited"/, '  JSON rate_limited');
# nginx's own answer under /api/share/ has the headers of every other.
my $hdr = read_file(tmpdir() . '/fifth.hdr');
like($hdr, qr/^Content-Security-Policy: default-src 'none'\r?$/mi, "  CSP default-src 'none'");
like($hdr, qr/^X-Content-Type-Options: nosniff\r?$/mi, '  nosniff');
like($hdr, qr/^Referrer-Policy: no-referrer\r?$/mi, '  no referrer');
waitpid($_, 0) for @kids;

$side->stop;
api('DELETE', "/api/admin/users/$u->{id}", token => admin_token());
done_testing();
