# Deleting a user (SPEC §4 Admin): everything they own goes (rows, blob
# files on disk, shares both ways, links, keys), the stats follow, and
# the last active admin cannot be deleted.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use File::Find;
use TCloud;

my $S = $ENV{TCLOUD_STATE};
my $admin = admin_token();
my $dir = tmpdir();

sub blob_count {
	my $n = 0;
	find(sub { $n++ if -f && /^[0-9a-f]{32}$/ }, "$S/data/blobs");
	return $n;
}

my $stats0 = api('GET', '/api/admin/stats', token => $admin);
is($stats0->{status}, 200, 'stats');
is_deeply([ sort keys %{ $stats0->{json} } ], [qw(active_users pending_users public_links
    suspended_users total_bytes total_files total_folders total_users)], 'stats shape');

my $carl = new_user();
my $dora = new_user();
my $p = write_file("$dir/c.bin", 'c' x 5000);
my $folder = api('POST', '/api/folders', token => $carl->{token}, json => { name => 'cf' })->{json};
my $f1 = api('POST', '/api/files/upload', token => $carl->{token}, form => ["file=\@$p"])->{json};
my $f2 = api('POST', "/api/files/upload?folder_id=$folder->{id}", token => $carl->{token}, form => ["file=\@$p"])->{json};
my $df = api('POST', '/api/files/upload', token => $dora->{token}, form => ["file=\@$p;filename=dora.bin"])->{json};
api('POST', '/api/shares', token => $carl->{token}, json => { file_id => $f1->{id}, shared_with => $dora->{username} });
api('POST', '/api/shares', token => $dora->{token}, json => { file_id => $df->{id}, shared_with => $carl->{username} });
my $link = api('POST', "/api/files/$f1->{id}/share-link", token => $carl->{token}, json => {})->{json};
my $key = api('POST', '/api/apikeys', token => $carl->{token}, json => { name => 'k' })->{json}{key};

my $stats1 = api('GET', '/api/admin/stats', token => $admin)->{json};
is($stats1->{total_users}, $stats0->{json}{total_users} + 2, 'stats count the new users');
is($stats1->{total_files}, $stats0->{json}{total_files} + 3, 'and their files');
is($stats1->{total_bytes}, $stats0->{json}{total_bytes} + 15000, 'and their bytes');
is($stats1->{public_links}, $stats0->{json}{public_links} + 1, 'and the link');
my $blobs1 = blob_count();

is(api('DELETE', "/api/admin/users/$carl->{id}", token => $dora->{token})->{status}, 403, 'a user cannot delete users');
my $r = api('DELETE', "/api/admin/users/$carl->{id}", token => $admin);
is($r->{status}, 200, 'admin deletes the user');
is_deeply($r->{json}, { ok => JSON::PP::true }, '{"ok":true}');
is(api('DELETE', "/api/admin/users/$carl->{id}", token => $admin)->{status}, 404, 'deleting again is 404');

is(blob_count(), $blobs1 - 2, "the user's blob files are gone from disk");
is(api('GET', '/api/auth/me', token => $carl->{token})->{status}, 401, 'their token: 401');
is(api('GET', '/api/auth/me', key => $key)->{status}, 401, 'their key: 401');
is(api('GET', "/api/share/$link->{token}")->{status}, 404, 'their link: 404');
is(scalar @{ api('GET', '/api/shares/with-me', token => $dora->{token})->{json} }, 0, 'shares to others gone');
is(scalar @{ api('GET', '/api/shares/by-me', token => $dora->{token})->{json} }, 0, 'shares from others gone');
is(api('GET', "/api/files/$df->{id}/download", token => $dora->{token})->{status}, 200, "others' files stay");

my $stats2 = api('GET', '/api/admin/stats', token => $admin)->{json};
is($stats2->{total_users}, $stats1->{total_users} - 1, 'stats follow: users');
is($stats2->{total_files}, $stats1->{total_files} - 2, 'stats follow: files');
is($stats2->{total_bytes}, $stats1->{total_bytes} - 10000, 'stats follow: bytes');
is($stats2->{public_links}, $stats1->{public_links} - 1, 'stats follow: links');

my $audit = api('GET', '/api/admin/audit?action=admin_user_delete&limit=5', token => $admin)->{json};
ok(grep({ $_->{target_id} == $carl->{id} && $_->{details}{username} eq $carl->{username} } @$audit),
    'deletion audited with the username');

my $me = api('GET', '/api/auth/me', token => $admin)->{json};
$r = api('DELETE', "/api/admin/users/$me->{id}", token => $admin);
is($r->{status}, 409, 'the last active admin cannot be deleted');
is($r->{json}{code}, 'last_admin', '  last_admin');
my ($rc, $out) = ctl('fsck');
is($rc, 0, 'fsck clean after the deletion') or diag $out;
done_testing();
