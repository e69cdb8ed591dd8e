# Quota and count limits hold against a hostile uploader (issue 8):
# on_conflict=replace streams at most the quota left plus the replaced
# file's size and refuses an oversized body before encrypting it; a user
# over quota cannot upload even an empty file; per-user caps on files and
# folders (max_files_per_user, max_folders_per_user).
use strict;
use warnings;
use Test::More;
use TCloud;
use SideStack;

my $S = $ENV{TCLOUD_STATE};
my $admin = admin_token();
my $u = new_user();
my %T = (token => $u->{token});
api('PATCH', "/api/admin/users/$u->{id}", token => $admin, json => { quota_bytes => 1048576 });

my $f100k = write_file(tmpdir() . '/a.bin', 'a' x 100000);
my $r = api('POST', '/api/files/upload', %T, form => ["file=\@$f100k;filename=a.bin"]);
is($r->{status}, 201, 'a 100 kB file in a 1 MiB quota');
my $aid = $r->{json}{id};

# Bytes the workers read and wrote, from /proc: a body refused early is
# neither read in full nor encrypted to disk.  The workers themselves
# (tcloud.pid names their supervisor; under mod_fcgid there is none).
sub io {
	my ($rd, $wr) = (0, 0);
	for my $p (worker_pids()) {
		open my $fh, '<', "/proc/$p/io" or next;
		while (<$fh>) { $rd += $1 if /^rchar: (\d+)/; $wr += $1 if /^wchar: (\d+)/ }
	}
	return ($rd, $wr);
}
my $z30 = write_file(tmpdir() . '/z30.bin', "\0" x (30 * 1024 * 1024));
my ($rd0, $wr0) = io();
$r = api('POST', '/api/files/upload?on_conflict=replace', %T, form => ["file=\@$z30;filename=a.bin"]);
my ($rd1, $wr1) = io();
is($r->{status}, 507, 'replace with 30 MiB over a 1 MiB quota: 507');
is($r->{json}{code}, 'quota_exceeded', '  quota_exceeded');
cmp_ok($wr1 - $wr0, '<', 2 * 1024 * 1024, '  refused before encrypting it (workers wrote ' . ($wr1 - $wr0) . ' bytes)');
# mod_fcgid writes the whole spooled body before it reads the reply:
# there the worker must drain it.
cmp_ok($rd1 - $rd0, '<', 2 * 1024 * 1024, '  nor reading it (' . ($rd1 - $rd0) . ' bytes read)')
    unless ($ENV{TCLOUD_FRONT} // '') eq 'apache-fcgid';
is(api('GET', "/api/files/$aid/download", %T)->{body}, 'a' x 100000, '  the old content stays');

$r = api('POST', '/api/files/upload?on_conflict=replace', %T, form => ["file=\@$z30;filename=new.bin"]);
is($r->{status}, 507, 'replace of a name not taken, over quota: 507');

my $f1m = write_file(tmpdir() . '/b.bin', 'b' x (1048576 - 10));
$r = api('POST', '/api/files/upload?on_conflict=replace', %T, form => ["file=\@$f1m;filename=a.bin"]);
is($r->{status}, 201, 'replace within quota left + old size: accepted');
is($r->{json}{id}, $aid, '  same id');
is(api('GET', '/api/auth/me', %T)->{json}{used_bytes}, 1048566, '  used_bytes is the new size');

# Over quota (an admin lowered it): not even an empty file.
api('PATCH', "/api/admin/users/$u->{id}", token => $admin, json => { quota_bytes => 0 });
my $empty = write_file(tmpdir() . '/empty.txt', '');
for my $mode (qw(rename fail replace)) {
	$r = api('POST', "/api/files/upload?on_conflict=$mode", %T, form => ["file=\@$empty;filename=e-$mode.txt"]);
	is($r->{status}, 507, "over quota, an empty file ($mode): 507");
}
is(scalar @{ api('GET', '/api/files', %T)->{json} }, 1, '  nothing was added');

# --- count caps, in a side stack configured with tiny ones -----------
my $side = side_stack(workers => 1, fcgid => 1, conf => { max_files_per_user => 3, max_folders_per_user => 2 });
my $v = new_user();
my %V = (token => $v->{token}, base => $side->url);
for my $i (1 .. 3) {
	is(api('POST', '/api/files/upload', %V, form => ["file=\@$empty;filename=f$i.txt"])->{status}, 201, "file $i of 3");
}
$r = api('POST', '/api/files/upload', %V, form => ["file=\@$empty;filename=f4.txt"]);
is($r->{status}, 507, 'a 4th file: 507');
is($r->{json}{code}, 'quota_exceeded', '  quota_exceeded');
like($r->{json}{error}, qr/limit of 3 files/, '  says which limit');
$r = api('POST', '/api/files/upload?on_conflict=replace', %V, form => ["file=\@$f100k;filename=f1.txt"]);
is($r->{status}, 201, 'replacing one of them adds no file: fine');
$r = api('POST', '/api/files/upload?on_conflict=replace', %V, form => ["file=\@$empty;filename=f5.txt"]);
is($r->{status}, 507, 'a replace that would add a 4th: 507');
is(api('POST', '/api/folders', %V, json => { name => "d$_" })->{status}, 201, "folder $_ of 2") for 1 .. 2;
$r = api('POST', '/api/folders', %V, json => { name => 'd3' });
is($r->{status}, 507, 'a 3rd folder: 507');
like($r->{json}{error}, qr/limit of 2 folders/, '  says which limit');
$side->stop;

api('DELETE', "/api/admin/users/$_->{id}", token => $admin) for $u, $v;
done_testing();
