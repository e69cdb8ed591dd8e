# tcloudctl backup / restore (SPEC §8): a backup taken while another user
# uploads, replaces and deletes is consistent (restored into a fresh
# install, every row's blob is there and decrypts); after changes, restore
# refuses a non-empty install, and --force brings back exactly the
# backed-up state: listings, quota, link token, byte-exact downloads.
# It replaces the stack's database: the test files run one at a time.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use File::Find;
use TCloud;

my $S = $ENV{TCLOUD_STATE} or plan skip_all => 'TCLOUD_STATE not set';
my $dir = tmpdir();
# Under mod_fcgid as root, tcloudctl runs as the site's user (TCLOUD_CTL
# is "runuser -u USER -- ..."), as on shared hosting: the backups and
# the fresh install go where that user can write.
my ($site_user) = ($ENV{TCLOUD_CTL} // '') =~ /^runuser -u (\S+)/;
sub give { chown((getpwnam $site_user)[2, 3], @_) if $site_user }
give($dir);
my $u = new_user();
my $t = $u->{token};

sub up {
	my ($name, $data, $q) = @_;
	my $p = write_file("$dir/$name", $data);
	my $r = api('POST', '/api/files/upload' . ($q // ''), token => $t, form => ["file=\@$p"]);
	die "upload $name: $r->{status} $r->{body}" unless $r->{status} == 201;
	return $r->{json};
}
sub rnd { my $n = shift; my $b; open my $fh, "<:raw", "/dev/urandom" or die; read $fh, $b, $n; close $fh; return $b }

# --- the state that will be backed up --------------------------------------
my $folder = api('POST', '/api/folders', token => $t, json => { name => 'docs' })->{json};
my %content = (
	'a.bin' => rnd(200_000),
	'c.bin' => rnd(1_300_000),		# several 64 KiB segments
	'b.txt' => "hello from the backup\n",
	'empty' => '',
);
my %id;
$id{$_} = up($_, $content{$_})->{id} for qw(a.bin c.bin empty);
$id{'b.txt'} = up('b.txt', $content{'b.txt'}, "?folder_id=$folder->{id}")->{id};
my $link = api('POST', "/api/files/$id{'a.bin'}/share-link", token => $t, json => {})->{json};
ok($link->{token}, 'a link to a.bin');

sub state_of {
	return json_of({
		root => api('GET', '/api/files', token => $t)->{json},
		docs => api('GET', "/api/files?folder_id=$folder->{id}", token => $t)->{json},
		folders => api('GET', '/api/folders', token => $t)->{json},
		used => api('GET', '/api/auth/me', token => $t)->{json}{used_bytes},
	});
}
my $before = state_of();

# --- backup while another user changes files ------------------------------
my $v = new_user();
my $flag = "$dir/churn";
write_file($flag, '');
my $pid = fork // die;
if ($pid == 0) {
	my ($prev, $i) = (undef, 0);
	while (-e $flag && $i++ < 300) {
		my $p = write_file("$dir/v.$$", "churn $i " . ('x' x (70_000 + $i)));
		my $r = api('POST', '/api/files/upload?on_conflict=replace', token => $v->{token},
		    form => ["file=\@$p;filename=v" . ($i % 3)]);
		api('DELETE', "/api/files/$prev", token => $v->{token}) if $prev && $i % 2;
		$prev = $r->{json}{id};
	}
	exit 0;
}
select undef, undef, undef, 0.5;
my $bk = "$dir/bk";
my ($rc, $out) = ctl("backup $bk");
unlink $flag;
waitpid $pid, 0;
is($rc, 0, 'backup while another user uploads, replaces and deletes') or diag $out;
like($out, qr/backup: \d+ rows, \d+ blobs/, '  and says what it took');
ok(-f "$bk/MANIFEST" && -f "$bk/db.sql", '  a manifest and a dump');
is((stat $bk)[2] & 07777, 0700, '  the backup directory is private (0700)');
my @keys = glob("$bk/keys/*");
ok(@keys >= 2, '  the key files are in it');
is(scalar(grep { ((stat $_)[2] & 077) != 0 } @keys), 0, '  each 0600');
my @bblobs;
find(sub { push @bblobs, $_ if -f && /^[0-9a-f]{32}$/ }, "$bk/blobs");
ok(@bblobs >= 3, '  and the blobs (' . scalar(@bblobs) . ')');

($rc, $out) = ctl("backup $bk");
isnt($rc, 0, 'a backup into a non-empty directory is refused');
like($out, qr/not empty/, '  saying so');
# A backup that fails half-way (here: a directory where a blob should
# be) names the culprit and takes away what it wrote, so that once the
# cause is fixed the same command works; it used to leave a partial
# DIR that the rerun refused as not empty.
{
	my $x = api('POST', '/api/files/upload', token => $v->{token},
	    form => ['file=@' . write_file("$dir/x.bin", rnd(5000))])->{json};
	my ($blob) = sort { -M $a <=> -M $b } grep { -f } glob("$S/data/blobs/*/*/*");
	rename $blob, "$dir/blob.aside" or die;
	mkdir $blob;
	($rc, $out) = ctl("backup $dir/bk3");
	is($rc, 1, 'a backup meeting a directory in place of a blob fails');
	like($out, qr/^tcloudctl: backup: \Q$blob\E is not a regular file$/m, '  naming it');
	ok(!-e "$dir/bk3", '  and leaves no partial backup behind');
	rmdir $blob;
	# A blob that is simply gone (fsck's "blob missing") is named too:
	# it was taken for a file deleted meanwhile, eight snapshots were
	# taken, and the backup blamed "files change too fast".
	($rc, $out) = ctl("backup $dir/bk3");
	is($rc, 1, 'a backup meeting a lost blob fails');
	my $hex = (split m{/}, $blob)[-1];
	like($out, qr/^tcloudctl: backup: blob $hex, named by a files row, is missing from /m, '  naming it');
	unlike($out, qr/too fast/, '  not blaming the churn');
	ok(!-e "$dir/bk3", '  and leaves no partial backup behind');
	rename "$dir/blob.aside", $blob or die;
	($rc, $out) = ctl("backup $dir/bk3");
	is($rc, 0, '  run again once the blob is back: it succeeds') or diag $out;
	api('DELETE', "/api/files/$x->{id}", token => $v->{token});
}
# A tcloud.conf whose old_key_files the workers would refuse ("9 PATH",
# no colon) fails the backup up front; the backup used to skip that key
# silently, exit 0, and files still under it could not be restored.
{
	my $c = read_file("$S/tcloud.conf");
	$c =~ s/^old_key_files = .*\n//m;
	write_file("$dir/badold.conf", $c . "old_key_files = 9 $dir/k9\n");
	give("$dir/badold.conf");
	(my $bctl = $ENV{TCLOUD_CTL}) =~ s/-c \S+/-c $dir\/badold.conf/;
	my $o = `$bctl backup $dir/bk4 2>&1`;
	is($? >> 8, 1, 'a backup with a malformed old_key_files fails');
	like($o, qr/old_key_files: '9' is not id:path/, '  naming it');
	ok(!-e "$dir/bk4", '  before writing anything');
}
mkdir "$dir/partial";
($rc, $out) = ctl("restore $dir/partial");
isnt($rc, 0, 'restore refuses a directory without a manifest');

# A file deleted between the snapshot and the copy of its blob: the backup
# takes a new snapshot, and the result names only blobs it holds.
{
	my $x = up('gone-soon.bin', rnd(100_000));
	local $ENV{TCLOUD_BACKUP_TEST_PAUSE} = 3;
	my $cpid = fork // die;
	if ($cpid == 0) {
		my ($c, $o) = ctl("backup $dir/bk2");
		write_file("$dir/bk2.out", $o);
		exit $c;
	}
	select undef, undef, undef, 1.5;
	is(api('DELETE', "/api/files/$x->{id}", token => $t)->{status}, 200,
	    'a file deleted while the backup copies');
	waitpid $cpid, 0;
	is($? >> 8, 0, '  the backup succeeds') or diag read_file("$dir/bk2.out");
	like(read_file("$dir/bk2.out"), qr/new snapshot/, '  after taking a new snapshot');
	my $hexname = uc unpack('H*', 'gone-soon.bin');
	unlike(read_file("$dir/bk2/db.sql"), qr/$hexname/, '  which does not have the file');
	my @b;
	find(sub { push @b, $_ if -f && /^[0-9a-f]{32}$/ }, "$dir/bk2/blobs");
	my ($mb) = read_file("$dir/bk2/MANIFEST") =~ /^blobs (\d+)$/m;
	is(scalar(@b), $mb, "  and holds exactly the $mb blobs it names");
}

# --- restore into a fresh install (own database, data_dir and keys) -------
my $conf = read_file("$S/tcloud.conf");
my $me = getpwuid($<);
my $sock = ($conf =~ /^db_socket = (.*)$/m)[0];
my $mysql = "mariadb --no-defaults -u$me --socket=$sock";
SKIP: {
	skip 'no administrative access to the test MariaDB', 8
	    if system("$mysql -e 'DROP DATABASE IF EXISTS tcloud_restore; "
	    . "CREATE DATABASE tcloud_restore CHARACTER SET utf8mb4; "
	    . "GRANT ALL ON tcloud_restore.* TO tcloud\@localhost' 2>/dev/null") != 0;
	my $f = "$dir/fresh";
	mkdir $f, 0700;
	my $fc = $conf;
	$fc =~ s/^db_name = .*$/db_name = tcloud_restore/m;
	$fc =~ s/^data_dir = .*$/data_dir = $f\/data/m;
	$fc =~ s/^master_key_file = .*$/master_key_file = $f\/master.key/m;
	$fc =~ s/^jwt_secret_file = .*$/jwt_secret_file = $f\/jwt.secret/m;
	$fc =~ s/^old_key_files = .*$//m;
	write_file("$f/tcloud.conf", $fc);
	give($f, "$f/tcloud.conf");
	(my $fctl = $ENV{TCLOUD_CTL}) =~ s/-c \S+/-c $f\/tcloud.conf/;
	my $run = sub { my $o = `$fctl $_[0] 2>&1`; return ($? >> 8, $o) };
	($rc, $out) = $run->('init');
	is($rc, 0, 'a fresh install (init: new random keys, empty schema)') or diag $out;
	# A backup short of a blob is refused before any blob is copied, so
	# the install stays empty and the complete backup then goes in
	# without --force (it was "not empty" after the failed attempt).
	system('cp', '-a', $bk, "$dir/short") == 0 or die;
	my ($one) = grep { -f } glob("$dir/short/blobs/*/*/*");
	unlink $one or die;
	($rc, $out) = $run->("restore $dir/short");
	is($rc, 1, 'restore of a backup short of a blob fails');
	like($out, qr/^tcloudctl: restore: \d+ blobs in \Q$dir\E\/short, the manifest says \d+$/m, '  saying so');
	($rc, $out) = $run->("restore $bk");
	is($rc, 0, 'restore into it') or diag $out;
	($rc, $out) = $run->('fsck');
	is($rc, 0, '  fsck of the restored install is clean: every row has its blob, '
	    . 'and it decrypts with the restored keys') or diag $out;
	my ($n) = $out =~ /(\d+) files checked/;
	ok($n && $n >= 4, "  $n files checked");
	my $mk = ($conf =~ /^master_key_file = (.*)$/m)[0];
	is(read_file("$f/master.key"), read_file($mk), '  the master key came back');
	($rc, $out) = $run->("restore $bk");
	isnt($rc, 0, '  a second restore finds it not empty') or diag $out;
	system("$mysql -e 'DROP DATABASE tcloud_restore'");
}

# --- change things --------------------------------------------------------
up('d.txt', 'added after the backup');
api('DELETE', "/api/files/$id{'b.txt'}", token => $t);
api('PATCH', "/api/files/$id{'a.bin'}", token => $t, json => { name => 'renamed.bin' });
up('c.bin', 'replaced after the backup', '?on_conflict=replace');
api('DELETE', "/api/files/$id{'a.bin'}/share-link", token => $t);
api('POST', '/api/folders', token => $t, json => { name => 'later' });
isnt(state_of(), $before, 'the state changed');

($rc, $out) = ctl("restore $bk");
is($rc, 1, 'restore refuses a non-empty install');
like($out, qr/not empty.*--force/, '  and names --force');
isnt(state_of(), $before, '  and changed nothing');

# A backup whose db.sql was cut short (a full disk, an interrupted copy)
# is refused before anything is touched: restore dropped every table and
# loaded what was there, exit 0, losing the rest.
system('cp', '-a', $bk, "$dir/cut") == 0 or die;
truncate "$dir/cut/db.sql", int((-s "$bk/db.sql") * 2 / 3) or die;
my $changed = state_of();
($rc, $out) = ctl("restore $dir/cut --force");
is($rc, 1, 'restore --force of a backup with a truncated db.sql fails');
like($out, qr{^tcloudctl: restore: \Q$dir\E/cut/db\.sql is truncated}m, '  naming it');
is(state_of(), $changed, '  and the install is as it was');
my $r0 = api('GET', "/api/files/$id{'c.bin'}/download", token => $t);
is($r0->{body}, 'replaced after the backup', '  its files download as before');
# A backup without its master key file (kept elsewhere, or lost) is
# refused before anything is written: the database was replaced, then
# the copy of the key failed.
system('cp', '-a', $bk, "$dir/nokey") == 0 or die;
unlink glob("$dir/nokey/keys/master-*.key") or die;
($rc, $out) = ctl("restore $dir/nokey --force");
is($rc, 1, 'restore --force of a backup without its master key fails');
like($out, qr{^tcloudctl: restore: \Q$dir\E/nokey/keys/master-\d+\.key: No such file or directory \(not a complete backup\)$}m,
    '  naming the missing file');
is(state_of(), $changed, '  and the install is as it was');

# --- restore --force: exactly the backed-up state -------------------------
($rc, $out) = ctl("restore $bk --force");
is($rc, 0, 'restore --force') or diag $out;
is(state_of(), $before, 'listings, folders and used bytes are the backed-up ones');
for my $name (sort keys %content) {
	my $r = api('GET', "/api/files/$id{$name}/download", token => $t, out => "$dir/dl");
	ok($r->{status} == 200 && read_file("$dir/dl") eq $content{$name},
	    "$name downloads byte-exact");
}
my $r = api('GET', "/api/share/$link->{token}/download", out => "$dir/dl");
ok($r->{status} == 200 && read_file("$dir/dl") eq $content{'a.bin'},
    'the link token works again, byte-exact');
($rc, $out) = ctl('fsck');
is($rc, 0, 'fsck clean after the restore') or diag $out;
my $n = up('new.txt', 'after the restore');
is(api('GET', "/api/files/$n->{id}/download", token => $t)->{body}, 'after the restore',
    'uploads work after the restore');
done_testing();
