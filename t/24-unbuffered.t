# Uploads with nginx request buffering off (SPEC §6: both modes work).
# The worker then reads the body as the client sends it: a complete body
# is stored as usual, a chunked body of unknown length is refused with
# 411, and a client that goes away mid-body leaves nothing: no row, no
# charge, no temp file.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep);
use TCloud;

my $UB = $ENV{TCLOUD_URL_UNBUFFERED} or plan skip_all => 'no unbuffered server';
my $S = $ENV{TCLOUD_STATE};
my $u = new_user();
my $t = $u->{token};
my $dir = tmpdir();
my $data = join('', map { chr(($_ * 31) % 256) } 1 .. 3_000_000);
my $p = write_file("$dir/ub.bin", $data);

sub curl_ub {
	my (@args) = @_;
	open my $fh, '-|', 'curl', '-s', '-o', "$dir/out", '-w', '%{http_code}',
	    '-H', "Authorization: Bearer $t", @args or die;
	my $code = <$fh>;
	close $fh;
	return $code + 0;
}

is(curl_ub('-F', "file=\@$p", "$UB/api/files/upload"), 201, 'unbuffered upload 201');
my ($f) = @{ api('GET', '/api/files', token => $t)->{json} };
my $r = api('GET', "/api/files/$f->{id}/download", token => $t, out => "$dir/back");
ok(read_file("$dir/back") eq $data, 'byte-exact through the buffered server');

is(curl_ub('-H', 'Transfer-Encoding: chunked', '-F', "file=\@$p", "$UB/api/files/upload"), 411,
    'chunked body without a length: 411');
like(read_file("$dir/out"), qr/"code":"length_required"/, '  JSON length_required');

my $used = api('GET', '/api/auth/me', token => $t)->{json}{used_bytes};
my $big = "$dir/big.bin";
system("head -c 200000000 /dev/zero > $big") == 0 or die;
curl_ub('--limit-rate', '20M', '--max-time', '1', '-F', "file=\@$big", "$UB/api/files/upload");
my $left;
for (1 .. 50) {
	$left = () = glob("$S/data/tmp/*");
	last if $left == 0;
	sleep 0.1;
}
is($left, 0, 'the worker discarded the partial upload (no temp file)');
is(scalar @{ api('GET', '/api/files', token => $t)->{json} }, 1, 'nothing listed');
is(api('GET', '/api/auth/me', token => $t)->{json}{used_bytes}, $used, 'nothing charged');
is(api('GET', '/api/health')->{status}, 200, 'workers still serve');
unlink $big;
done_testing();
