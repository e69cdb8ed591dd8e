# A body that is missing or shorter than declared is an error, never an
# empty file stored as a success (issue 9: mod_fcgid hands the worker an
# EMPTY body with CONTENT_LENGTH=0 when Apache's LimitRequestBody is
# exceeded).  Speaks FastCGI to the workers' socket directly, as such a
# web server would.
use strict;
use warnings;
use Test::More;
use IO::Socket::UNIX;
use TCloud;

my $sock = "$ENV{TCLOUD_STATE}/run/tcloud.sock";
plan skip_all => 'no worker socket (mod_fcgid mode)' unless -S $sock;
my $u = new_user();

sub rec { my ($type, $c) = @_; my $pad = (8 - length($c) % 8) % 8;
	pack('CCnnCC', 1, $type, 1, length $c, $pad, 0) . $c . ("\0" x $pad) }
sub nv { my ($k, $v) = @_;
	join('', map { length($_) < 128 ? pack('C', length) : pack('N', length($_) | 0x80000000) } $k, $v) . $k . $v }

# One FastCGI request; returns (status, body).
sub fcgi {
	my ($params, $stdin) = @_;
	my $s = IO::Socket::UNIX->new(Peer => $sock) or die "$sock: $!";
	my $p = join('', map { nv($_, $params->{$_}) } sort keys %$params);
	my $out = rec(1, pack('nCx5', 1, 0)) . rec(4, $p) . rec(4, '');
	$out .= rec(5, substr($stdin, $_, 32768)) for grep { $_ % 32768 == 0 } 0 .. length($stdin) - 1;
	$out .= rec(5, '');
	print $s $out;
	my ($resp, $buf) = ('');
	while (read($s, $buf, 8) == 8) {
		my ($v, $type, $id, $len, $pad) = unpack('CCnnC', $buf);
		my $c = "";
		read($s, $c, $len + $pad) if $len + $pad;
		last if $type == 3;
		$resp .= substr($c, 0, $len) if $type == 6;
	}
	my ($st) = $resp =~ /^Status:\s*(\d+)/mi;
	my (undef, $body) = split /\r?\n\r?\n/, $resp, 2;
	return ($st // 200, $body // '');
}

my $mp = "--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"e.bin\"\r\n" .
    "Content-Type: application/octet-stream\r\n\r\n" . ('a' x 4000) . "\r\n--xyz--\r\n";
my %base = (REQUEST_METHOD => 'POST', REQUEST_URI => '/api/files/upload',
    REMOTE_ADDR => '127.0.0.1', HTTP_AUTHORIZATION => "Bearer $u->{token}",
    CONTENT_TYPE => 'multipart/form-data; boundary=xyz');

my ($st, $body) = fcgi({ %base, CONTENT_LENGTH => 0, TCLOUD_DECLARED_LENGTH => length $mp }, '');
is($st, 400, 'emptied body (CONTENT_LENGTH=0, declared larger): 400');
like($body, qr/"code":"incomplete_body"/, '  incomplete_body');
($st, $body) = fcgi({ %base, CONTENT_LENGTH => 0 }, '');
is($st, 400, 'no body at all: 400');
like($body, qr/"code":"incomplete_body"/, '  incomplete_body');
($st, $body) = fcgi({ %base, CONTENT_LENGTH => 2000, TCLOUD_DECLARED_LENGTH => length $mp }, substr($mp, 0, 2000));
is($st, 400, 'body shorter than declared: 400');
($st, $body) = fcgi({ %base, CONTENT_LENGTH => length $mp, TCLOUD_DECLARED_LENGTH => length $mp }, $mp);
is($st, 201, 'the whole body: 201');
my $files = api('GET', '/api/files', token => $u->{token})->{json};
is(scalar @$files, 1, 'only the complete upload is listed');
is($files->[0]{size}, 4000, '  with its bytes');
is(api('GET', '/api/auth/me', token => $u->{token})->{json}{used_bytes}, 4000, 'quota charged once');
done_testing();
