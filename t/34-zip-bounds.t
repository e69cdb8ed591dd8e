# A folder ZIP's memory stays bounded whatever the tree's shape (issue 8):
# paths are built on demand, and a tree whose archive would need too many
# entries, too long paths or too many path bytes is refused (409
# zip_too_large) before the first byte.  Trees are laid down in SQL: the
# API would not let them be this deep.
use strict;
use warnings;
use Test::More;
use TCloud;

my $S = $ENV{TCLOUD_STATE} or plan skip_all => 'needs TCLOUD_STATE';
chomp(my $me = `id -un`);
sub sql {
	my $out = `mariadb --no-defaults -u$me --socket=$S/run/mysql.sock -N -B tcloud -e "$_[0]" 2>&1`;
	die "sql: $out" if $?;
	chomp $out;
	return $out;
}
# Highest peak RSS (kB) over the workers.
sub hwm {
	my %h;
	for my $p (split /\s+/, `cat $S/run/tcloud.pid`) {
		$h{$p} = $1 if `cat /proc/$p/status 2>/dev/null` =~ /^VmHWM:\s+(\d+)/m;
	}
	return \%h;
}
sub growth {
	my ($a, $b) = @_;
	my $g = 0;
	for (keys %$b) { my $d = $b->{$_} - ($a->{$_} // $b->{$_}); $g = $d if $d > $g }
	return $g;
}

my $u = new_user();
my %T = (token => $u->{token});
my $uid = $u->{id};
# A chain of n folders named with $len-byte names under parent; then
# $leaves folders under its bottom.  Returns the top id.
sub tree {
	my ($n, $len, $leaves, $tag) = @_;
	my $b = sql("SET \@b = (SELECT COALESCE(MAX(id), 0) + 10 FROM folders); "
	    . "INSERT INTO folders (id, user_id, parent_id, name) SELECT \@b + seq, $uid, "
	    . "IF(seq = 0, NULL, \@b + seq - 1), CONCAT('$tag', seq, REPEAT('n', $len - 8)) FROM seq_0_to_" . ($n - 1) . "; SELECT \@b");
	my $bottom = $b + $n - 1;
	sql("INSERT INTO folders (user_id, parent_id, name) SELECT $uid, $bottom, CONCAT('leaf', seq, REPEAT('l', $len - 10)) FROM seq_1_to_$leaves") if $leaves;
	return ($b, $bottom);
}
sub zip_of {
	my ($folder) = @_;
	my $t = api('POST', "/api/folders/$folder/share-link", %T, json => {})->{json}{token};
	my $before = hwm();
	my $r = api('GET', "/api/share/$t/download", out => tmpdir() . "/z.$folder.zip");
	$r->{growth} = growth($before, hwm());
	$r->{file} = tmpdir() . "/z.$folder.zip";
	return $r;
}

# The shape that took a worker from 28 to 392 MB: a deep chain of long
# names with many leaves at the bottom (every leaf path ~64 KB).
my ($top) = tree(250, 255, 1000, 'deep');
my $r = zip_of($top);
is($r->{status}, 409, 'a 250-deep chain of 255-byte names with 1000 leaves: 409');
like(read_file($r->{file}), qr/"code":"zip_too_large"/, '  zip_too_large, in JSON, before any byte of ZIP');
cmp_ok($r->{growth}, '<', 20 * 1024, "  the worker's peak grew $r->{growth} kB");

# Many entries: 66,000 (empty) files in one folder, over the 65,535 cap.
my $many = api('POST', '/api/folders', %T, json => { name => 'many' })->{json}{id};
sql("INSERT INTO files (user_id, folder_id, name, size, mime_type, blob_id, kek_id) "
    . "SELECT $uid, $many, CONCAT('f', seq), 0, 'text/plain', UNHEX(MD5(CONCAT('$uid-', seq))), 1 FROM seq_1_to_66000");
$r = zip_of($many);
is($r->{status}, 409, '66,000 files in one folder: 409');
cmp_ok($r->{growth}, '<', 40 * 1024, "  the worker's peak grew $r->{growth} kB");

# A wide tree within the caps streams, paths built on demand.  (No peak
# check here: under ASan, freed memory sits in quarantine, so the peak
# follows allocation churn, not what is held.)
my ($wide) = tree(5, 100, 3000, 'wide');
$r = zip_of($wide);
is($r->{status}, 200, '3,005 folders with 100-byte names: 200');
my $list = `unzip -l $r->{file} 2>&1`;
is(scalar(() = $list =~ m{/\s*$}mg), 3005, '  and the archive lists every folder');
is(system("unzip -tq $r->{file} >/dev/null 2>&1"), 0, '  unzip -t: ok');

api('DELETE', "/api/admin/users/$uid", token => admin_token());
done_testing();
