# Folder trees have a depth cap (max_folder_depth, 256 by default) on
# create and move, and every recursive walk fails closed when it meets
# its own cap: a tree made deeper than that (before the cap existed, or
# by hand) is refused with 409 too_deep, never half-walked (issue 8).
use strict;
use warnings;
use Test::More;
use TCloud;

my $S = $ENV{TCLOUD_STATE} or plan skip_all => 'needs TCLOUD_STATE (the test stack)';
chomp(my $me = `id -un`);
# The database as its administrator, to lay down trees no API would make.
sub sql {
	my ($q) = @_;
	my $out = `mariadb --no-defaults -u$me --socket=$S/run/mysql.sock -N -B tcloud -e "$q" 2>&1`;
	die "sql: $out" if $?;
	chomp $out;
	return $out;
}
# A chain of n top-level-rooted folders for user uid; returns
# the ids of its top and bottom.
sub chain {
	my ($uid, $n, $prefix) = @_;
	my $parent = 'NULL';
	$parent //= 'NULL';
	my $b = sql("SET \@b = (SELECT COALESCE(MAX(id), 0) + 10 FROM folders); "
	    . "INSERT INTO folders (id, user_id, parent_id, name) SELECT \@b + seq, $uid, "
	    . "IF(seq = 0, $parent, \@b + seq - 1), CONCAT('$prefix', seq) FROM seq_0_to_" . ($n - 1) . "; SELECT \@b");
	return ($b, $b + $n - 1);
}

my $u = new_user();
my %T = (token => $u->{token});

# --- the cap on create and move -------------------------------------
my ($top, $d255) = chain($u->{id}, 255, 'short');
my $r = api('GET', "/api/folders/$d255/path", %T);
is(scalar @{ $r->{json} // [] }, 255, 'a 255-level chain: path has 255 entries');
$r = api('POST', '/api/folders', %T, json => { name => 'level256', parent_id => $d255 });
is($r->{status}, 201, 'a folder at depth 256 is created');
my $d256 = $r->{json}{id};
$r = api('POST', '/api/folders', %T, json => { name => 'level257', parent_id => $d256 });
is($r->{status}, 409, 'depth 257: 409');
is($r->{json}{code}, 'too_deep', '  too_deep');

my $a = api('POST', '/api/folders', %T, json => { name => 'A' })->{json}{id};
my $b = api('POST', '/api/folders', %T, json => { name => 'B', parent_id => $a })->{json}{id};
$r = api('PATCH', "/api/folders/$a", %T, json => { parent_id => $d255 });
is($r->{status}, 409, 'moving a two-level tree to depth 256-257: 409');
is($r->{json}{code}, 'too_deep', '  too_deep');
$r = api('GET', "/api/folders/$a/path", %T);
is(scalar @{ $r->{json} }, 1, '  and it did not move');
$r = api('PATCH', "/api/folders/$b", %T, json => { parent_id => $d255 });
is($r->{status}, 200, 'a single folder moves to depth 256');
$r = api('PATCH', "/api/folders/$a", %T, json => { name => 'A2' });
is($r->{status}, 200, 'a rename is no move: not checked against the cap');

# --- a legacy tree deeper than any walk goes ------------------------
my ($ltop, $lbot) = chain($u->{id}, 1002, 'long');
my $f = write_file(tmpdir() . '/deep.bin', 'x' x 1000);
$r = api('POST', "/api/files/upload?folder_id=$lbot", %T, form => ["file=\@$f"]);
is($r->{status}, 201, 'a file at the bottom of a 1002-level chain');
my $fid = $r->{json}{id};
my $used = api('GET', '/api/auth/me', %T)->{json}{used_bytes};

$r = api('PATCH', "/api/folders/$ltop", %T, json => { parent_id => $lbot });
is($r->{status}, 409, 'moving the top under its 1002nd-level descendant: 409, no loop');
is($r->{json}{code}, 'too_deep', '  the walk was cut: too_deep');
is(sql("SELECT IFNULL(parent_id, 'root') FROM folders WHERE id = $ltop"), 'root', '  the top stayed at the root');

$r = api('GET', "/api/folders/$lbot/path", %T);
is($r->{status}, 409, 'path of the bottom: 409, not a truncated list');

$r = api('DELETE', "/api/folders/$ltop", %T);
is($r->{status}, 409, 'DELETE of the chain: 409, not ok with files left behind');
is(sql("SELECT COUNT(*) FROM folders WHERE user_id = $u->{id} AND id BETWEEN $ltop AND $lbot"), 1002,
    '  no folder was deleted');
is(api('GET', '/api/auth/me', %T)->{json}{used_bytes}, $used, '  used_bytes unchanged');
is(api('GET', "/api/files/$fid/download", %T)->{status}, 200, '  the file is still there');

my $link = api('POST', "/api/folders/$ltop/share-link", %T, json => {})->{json}{token};
$r = api('GET', "/api/share/$link/download");
is($r->{status}, 409, 'a ZIP of the chain: refused before the first byte');
is($r->{json}{code}, 'too_deep', '  too_deep');
$r = api('GET', "/api/share/$link/files/$fid/download");
is($r->{status}, 404, 'the bottom file through the link: not reachable (walk cut)');

# The deep part can still be taken apart from below.
my $mid = $ltop + 600;
$r = api('DELETE', "/api/folders/$mid", %T);
is($r->{status}, 200, 'deleting from level 601 down works (402 levels)');
is($r->{json}{deleted_folders}, 402, '  402 folders');
is($r->{json}{deleted_files}, 1, '  and the file');
is(api('GET', '/api/auth/me', %T)->{json}{used_bytes}, $used - 1000, '  quota freed');
$r = api('DELETE', "/api/folders/$ltop", %T);
is($r->{status}, 200, 'then the rest (600 levels) goes in one DELETE');

# --- point 19: a helper's 500 is what the log records ----------------
my $x = api('POST', '/api/folders', %T, json => { name => 'x' })->{json}{id};
sql('RENAME TABLE folders TO folders_away');
$r = api('GET', "/api/files?folder_id=$x", %T);
sql('RENAME TABLE folders_away TO folders');
is($r->{status}, 500, 'a database error checking the folder: 500');
my $rid = $r->{headers}{'x-request-id'};
my ($line) = grep { /req=$rid\b.*GET \/api\/files / } split /\n/, read_file("$S/log/tcloud.log");
like($line // '', qr{GET /api/files 500 }, '  and the worker log says 500, not 404');
is(api('GET', "/api/files?folder_id=$x", %T)->{status}, 200, 'back to normal');

api('DELETE', "/api/admin/users/$u->{id}", token => admin_token());
done_testing();
