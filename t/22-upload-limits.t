# Uploads under pressure (SPEC §5): concurrent uploads against a quota,
# the exact-fit rule, max upload, a worker killed mid-upload, and a client
# that disconnects mid-body.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use Time::HiRes qw(sleep);
use TCloud;

my $admin = admin_token();
my $u = new_user();
my $t = $u->{token};
my $dir = tmpdir();

# Quota that fits exactly 10 files of 100 KiB.
my $size = 100 * 1024;
api('PATCH', "/api/admin/users/$u->{id}", token => $admin, json => { quota_bytes => 10 * $size });
my $p = write_file("$dir/chunk.bin", 'q' x $size);
my @pids;
for my $i (1 .. 20) {
	my $pid = fork();
	if ($pid == 0) {
		my $r = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p;filename=c$i.bin"]);
		exit($r->{status} == 201 ? 0 : $r->{status} == 507 ? 1 : 2);
	}
	push @pids, $pid;
}
my ($ok, $full, $other) = (0, 0, 0);
for (@pids) {
	waitpid($_, 0);
	my $c = $? >> 8;
	$c == 0 ? $ok++ : $c == 1 ? $full++ : $other++;
}
is($ok, 10, '10 of 20 concurrent uploads fit');
is($full, 10, 'the other 10 get 507');
is($other, 0, 'no other outcome');
my $me = api('GET', '/api/auth/me', token => $t)->{json};
is($me->{used_bytes}, 10 * $size, 'used_bytes exactly at quota, never above');
my $files = api('GET', '/api/files', token => $t)->{json};
is(scalar @$files, 10, 'the listed files are the successes');

my $r = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p;filename=over.bin"]);
is($r->{status}, 507, 'full quota: 507');
is($r->{json}{code}, 'quota_exceeded', '  quota_exceeded');
api('DELETE', "/api/files/$files->[0]{id}", token => $t);
$r = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p;filename=exact.bin"]);
is($r->{status}, 201, 'a file that fits the remaining quota exactly is accepted');
my $one = write_file("$dir/one", 'x');
is(api('POST', '/api/files/upload', token => $t, form => ["file=\@$one"])->{status}, 507, 'one byte over: 507');

# Nothing of the refused uploads stays in data_dir/tmp.
my @tmp = glob("$ENV{TCLOUD_STATE}/data/tmp/*");
is(scalar @tmp, 0, 'no temp files left behind');

# A worker killed mid-upload: the stack keeps serving, nothing is listed,
# quota unchanged, and gc cleans up.
my $v = new_user();
my $vt = $v->{token};
my $big = "$dir/big.bin";
system("head -c 300000000 /dev/zero > $big") == 0 or die;
my @before = worker_pids();
my $pid = fork();
if ($pid == 0) {
	exec('curl', '-s', '-o', '/dev/null', '-H', "Authorization: Bearer $vt",
	    '-F', "file=\@$big", url('/api/files/upload'));
}
# Wait until a worker is writing the temp file, then kill -9 that worker.
my $victim;
for (1 .. 200) {
	my @t = glob("$ENV{TCLOUD_STATE}/data/tmp/*");
	if (@t && -s $t[0] > 1_000_000) {
		for my $w (@before) {
			my @fds = glob("/proc/$w/fd/*");
			if (grep { (readlink($_) // '') eq $t[0] } @fds) { $victim = $w; last }
		}
		last if $victim;
	}
	sleep 0.05;
}
ok($victim, 'found the worker writing the upload');
kill 'KILL', $victim if $victim;
waitpid($pid, 0);
is(api('GET', '/api/health')->{status}, 200, 'the stack keeps serving');
is(scalar @{ api('GET', '/api/files', token => $vt)->{json} }, 0, 'nothing half-written is listed');
is(api('GET', '/api/auth/me', token => $vt)->{json}{used_bytes}, 0, 'quota unchanged');
my @left = glob("$ENV{TCLOUD_STATE}/data/tmp/*");
ok(scalar @left >= 1, 'the killed upload left an orphan temp file');
my ($rc, $out) = ctl('gc --older-than 0');
is($rc, 0, 'tcloudctl gc runs');
is(scalar(() = glob("$ENV{TCLOUD_STATE}/data/tmp/*")), 0, 'gc removed the orphan');
# Restore the full worker set for the tests that follow.
system("$ENV{TCLOUD_ROOT}/tcloud-dev up >/dev/null 2>&1");

# A client that disconnects mid-body (nginx buffers: the worker never
# sees it) leaves nothing and charges nothing.
$pid = fork();
if ($pid == 0) {
	exec('curl', '-s', '-o', '/dev/null', '--limit-rate', '2M', '--max-time', '1',
	    '-H', "Authorization: Bearer $vt", '-F', "file=\@$big", url('/api/files/upload'));
}
waitpid($pid, 0);
sleep 0.5;
is(scalar @{ api('GET', '/api/files', token => $vt)->{json} }, 0, 'aborted upload not listed');
is(api('GET', '/api/auth/me', token => $vt)->{json}{used_bytes}, 0, 'aborted upload charges nothing');

# Over max upload: 413 from nginx before the worker, or from the worker.
$r = api('POST', '/api/files/upload', token => $vt, raw => 'x', ctype => 'multipart/form-data; boundary=x',
    headers => ['Content-Length: 3000000000']);
is($r->{status}, 413, 'oversized Content-Length refused by nginx');
is($r->{json}{code}, 'too_large', '  as JSON too_large');
unlink $big;
done_testing();
