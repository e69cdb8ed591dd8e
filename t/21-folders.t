# Folders (SPEC §4 Folders): create, list, path, rename/move with the
# cycle check, recursive delete with quota freed.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $u = new_user();
my $t = $u->{token};
my $dir = tmpdir();

my $r = api('POST', '/api/folders', token => $t, json => { name => 'Backups', parent_id => undef });
is($r->{status}, 201, 'create at root 201');
my $top = $r->{json};
is_deeply([ sort keys %$top ], [qw(created_at id name parent_id)], 'folder shape');
is($top->{parent_id}, undef, 'parent null');
my $mid = api('POST', '/api/folders', token => $t, json => { name => '2026', parent_id => $top->{id} })->{json};
my $low = api('POST', '/api/folders', token => $t, json => { name => 'Nov', parent_id => $mid->{id} })->{json};
is($low->{parent_id}, $mid->{id}, 'nested create');
api('POST', '/api/folders', token => $t, json => { name => 'Archive' });

$r = api('POST', '/api/folders', token => $t, json => { name => 'Backups' });
is($r->{status}, 409, 'same name at root 409');
is($r->{json}{code}, 'name_exists', '  name_exists');
is(api('POST', '/api/folders', token => $t, json => { name => 'backups' })->{status}, 201,
    'names are case-sensitive');
for my $bad ('', '.', '..', 'a/b', 'a\\b', "x\ty", 'x' x 256) {
	$r = api('POST', '/api/folders', token => $t, json => { name => $bad });
	is($r->{status}, 400, "bad name '" . substr($bad, 0, 8) . "' 400");
	is($r->{json}{code}, 'invalid_name', '  invalid_name');
}
is(api('POST', '/api/folders', token => $t, json => { name => 'x' x 255 })->{status}, 201, '255 bytes ok');
is(api('POST', '/api/folders', token => $t, json => { name => 'x', parent_id => 99999999 })->{status}, 404,
    'unknown parent 404');
is(api('POST', '/api/folders', token => $t, json => { name => 'x', parent_id => 'a' })->{status}, 400,
    'string parent 400');
# The name is checked before the parent: a bad name with a malformed or
# unknown parent_id is invalid_name, on create and on rename.
for my $parent ('a', 0, 99999999) {
	is(api('POST', '/api/folders', token => $t, json => { name => 'a/b', parent_id => $parent })->{json}{code},
	    'invalid_name', "bad name, parent_id $parent: invalid_name");
	is(api('PATCH', "/api/folders/$top->{id}", token => $t, json => { name => 'a/b', parent_id => $parent })
	    ->{json}{code}, 'invalid_name', "  and on rename");
}
is(api('POST', '/api/folders', token => $t, json => {})->{json}{code}, 'missing_field', 'missing name');

$r = api('GET', '/api/folders', token => $t);
my @n = map { $_->{name} } @{ $r->{json} };
is_deeply(\@n, [ sort @n ], 'root list sorted by name');
ok(grep({ $_ eq 'Backups' } @n) && !grep({ $_ eq '2026' } @n), 'root only');
$r = api('GET', "/api/folders?parent_id=$top->{id}", token => $t);
is_deeply([ map { $_->{name} } @{ $r->{json} } ], ['2026'], 'children of Backups');

$r = api('GET', "/api/folders/$low->{id}/path", token => $t);
is($r->{status}, 200, 'path 200');
is_deeply($r->{json}, [ { id => $top->{id}, name => 'Backups' }, { id => $mid->{id}, name => '2026' },
    { id => $low->{id}, name => 'Nov' } ], 'path from the top down');

# Rename and move; cycles are 409.
$r = api('PATCH', "/api/folders/$low->{id}", token => $t, json => { name => 'November' });
is($r->{json}{name}, 'November', 'rename');
$r = api('PATCH', "/api/folders/$top->{id}", token => $t, json => { parent_id => $low->{id} });
is($r->{status}, 409, 'move into a descendant 409');
$r = api('PATCH', "/api/folders/$top->{id}", token => $t, json => { parent_id => $top->{id} });
is($r->{status}, 409, 'move into itself 409');
$r = api('PATCH', "/api/folders/$low->{id}", token => $t, json => { parent_id => undef });
is($r->{status}, 200, 'move to root with null');
is($r->{json}{parent_id}, undef, '  at root');
$r = api('PATCH', "/api/folders/$low->{id}", token => $t, json => { parent_id => $mid->{id} });
is($r->{json}{parent_id}, $mid->{id}, 'move back');

# Crossing moves at the same time (X into Y while Y into X) never make a
# loop: one wins, the other sees the new parent and is refused.
for my $round (1 .. 10) {
	my $x = api('POST', '/api/folders', token => $t, json => { name => "x$round" })->{json};
	my $y = api('POST', '/api/folders', token => $t, json => { name => "y$round" })->{json};
	my @kids;
	for my $pair ([$x, $y], [$y, $x]) {
		my $pid = fork();
		if ($pid == 0) {
			my $rr = api('PATCH', "/api/folders/$pair->[0]{id}", token => $t,
			    json => { parent_id => $pair->[1]{id} });
			exit($rr->{status} == 200 ? 0 : 1);
		}
		push @kids, $pid;
	}
	my $wins = 0;
	for (@kids) { waitpid($_, 0); $wins++ if $? == 0 }
	my $px = api('GET', "/api/folders/$x->{id}/path", token => $t)->{json};
	my $py = api('GET', "/api/folders/$y->{id}/path", token => $t)->{json};
	if ($wins != 1 || @$px > 2 || @$py > 2) {
		fail("round $round: $wins moves won, paths " . scalar(@$px) . '/' . scalar(@$py));
		last;
	}
	api('DELETE', "/api/folders/$x->{id}", token => $t);
	api('DELETE', "/api/folders/$y->{id}", token => $t);
	pass("round $round: exactly one crossing move won, no loop") if $round == 10;
}

# Files inside, then delete the top: everything below goes, quota freed.
my $p = write_file("$dir/f", 'z' x 1000);
for my $fid ($top->{id}, $mid->{id}, $low->{id}, $low->{id}) {
	is(api('POST', "/api/files/upload?folder_id=$fid", token => $t, form => ["file=\@$p"])->{status}, 201,
	    "upload into $fid");
}
is(api('GET', '/api/auth/me', token => $t)->{json}{used_bytes}, 4000, '4000 bytes used');

my $v = new_user();
is(api('GET', "/api/folders/$low->{id}/path", token => $v->{token})->{status}, 404, 'other: path 404');
is(api('DELETE', "/api/folders/$top->{id}", token => $v->{token})->{status}, 404, 'other: delete 404');
is(api('PATCH', "/api/folders/$top->{id}", token => $v->{token}, json => { name => 'x' })->{status}, 404,
    'other: rename 404');
is(api('GET', "/api/folders?parent_id=$top->{id}", token => $v->{token})->{status}, 404, 'other: list 404');
my $vf = api('POST', '/api/folders', token => $v->{token}, json => { name => 'mine' })->{json};
is(api('PATCH', "/api/folders/$low->{id}", token => $t, json => { parent_id => $vf->{id} })->{status}, 404,
    "move into another user's folder 404");

$r = api('DELETE', "/api/folders/$top->{id}", token => $t);
is($r->{status}, 200, 'recursive delete');
is_deeply($r->{json}, { ok => JSON::PP::true, deleted_files => 4, deleted_folders => 3 }, 'counts');
is(api('GET', '/api/auth/me', token => $t)->{json}{used_bytes}, 0, 'quota freed');
is(api('GET', "/api/folders/$low->{id}/path", token => $t)->{status}, 404, 'descendant gone');

# Deep nesting (deeper than InnoDB's 15-level cascade limit).
my $parent;
for my $i (1 .. 20) {
	my $x = api('POST', '/api/folders', token => $t, json => { name => "d$i", defined $parent ? (parent_id => $parent) : () });
	$parent = $x->{json}{id};
}
api('POST', "/api/files/upload?folder_id=$parent", token => $t, form => ["file=\@$p"]);
is(scalar @{ api('GET', "/api/folders/$parent/path", token => $t)->{json} }, 20, '20-deep path');
my $first = api('GET', '/api/folders', token => $t)->{json};
my ($d1) = grep { $_->{name} eq 'd1' } @$first;
$r = api('DELETE', "/api/folders/$d1->{id}", token => $t);
is($r->{json}{deleted_folders}, 20, 'deletes 20 levels');
is($r->{json}{deleted_files}, 1, 'and the file at the bottom');

done_testing();
