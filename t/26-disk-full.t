# A full disk during an upload (ENOSPC on write, or on the commit's
# mkdir/rename) is 507 insufficient_storage: the temp file is removed,
# nothing is charged, nothing is listed, and uploads work again once
# there is room (SPEC §2, issue 8).  Real full filesystems: small tmpfs
# mounts as data_dir of a side stack sharing the test database.
use strict;
use warnings;
use Test::More;
use File::Temp qw(tempdir);
use TCloud;
use SideStack;

plan skip_all => 'needs root to mount a small tmpfs' if $> != 0;

# A side stack whose data_dir is a fresh tmpfs with the given options.
sub full_stack {
	my ($opts) = @_;
	my $dir = tempdir(CLEANUP => 1);
	mkdir "$dir/data";
	system("mount -t tmpfs -o $opts tmpfs $dir/data") == 0 or return;
	my $side = side_stack(dir => $dir, workers => 1, fcgid => 1);
	return ($side, $dir);
}
sub unmount { system("umount $_[0]/data") }
sub tmp_entries { opendir my $d, "$_[0]/data/tmp" or return -1; scalar grep { !/^\./ } readdir $d }

my $u = new_user();
my %T = (token => $u->{token});
my $me = sub { api('GET', '/api/auth/me', %T)->{json}{used_bytes} };

# --- no room for the bytes (ENOSPC on write) --------------------------
my ($side, $dir) = full_stack('size=1m,mode=0700');
plan skip_all => 'cannot mount tmpfs here' unless $side;
my $big = write_file(tmpdir() . '/big.bin', 'b' x (3 * 1024 * 1024));
my $small = write_file(tmpdir() . '/small.bin', 's' x 10000);
my $before = $me->();
my $r = api('POST', '/api/files/upload', %T, base => $side->url, form => ["file=\@$big"]);
is($r->{status}, 507, 'a 3 MiB upload into 1 MiB of disk: 507');
is($r->{json}{code}, 'insufficient_storage', '  insufficient_storage');
is(tmp_entries($dir), 0, '  the temp file is gone');
is($me->(), $before, '  used_bytes unchanged');
is(scalar @{ api('GET', '/api/files', %T)->{json} }, 0, '  nothing listed');
$r = api('POST', '/api/files/upload', %T, base => $side->url, form => ["file=\@$small"]);
is($r->{status}, 201, 'a small file fits afterwards');
is($me->(), $before + 10000, '  and is charged');
my $fid = $r->{json}{id};
$r = api('GET', "/api/files/$fid/download", %T, base => $side->url);
is($r->{body}, 's' x 10000, '  and reads back');
$side->stop;
unmount($dir);

# --- room for the bytes, none for the blob's directories --------------
# Three inodes: the root, blobs/ and tmp/; the temp file takes the
# fourth, so the commit's mkdir of blobs/xx fails with ENOSPC.
($side, $dir) = full_stack('size=8m,nr_inodes=4,mode=0700');
$before = $me->();
$r = api('POST', '/api/files/upload', %T, base => $side->url, form => ["file=\@$small"]);
is($r->{status}, 507, 'no inode left for the blob directory: 507');
is($r->{json}{code}, 'insufficient_storage', '  insufficient_storage');
is(tmp_entries($dir), 0, '  the temp file is gone');
is($me->(), $before, '  used_bytes unchanged');
is(scalar @{ api('GET', '/api/files', %T)->{json} }, 1, '  still only the earlier file');
$side->stop;
unmount($dir);

api('DELETE', "/api/admin/users/$u->{id}", token => admin_token());
done_testing();
