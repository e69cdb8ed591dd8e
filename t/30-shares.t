# User-to-user shares (SPEC §4 Shares): create, lists, recipient download
# (Range too), nothing else for the recipient, revoke by either side, and
# a share dies with its file.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $alice = new_user();
my $bob = new_user();
my $carol = new_user();
my $dir = tmpdir();
my $data = join('', map { chr(($_ * 7) % 256) } 1 .. 100000);
my $p = write_file("$dir/shared.bin", $data);
my $f = api('POST', '/api/files/upload', token => $alice->{token}, form => ["file=\@$p"])->{json};

my $r = api('POST', '/api/shares', token => $alice->{token}, json => { file_id => $f->{id}, shared_with => $bob->{username} });
is($r->{status}, 201, 'share 201');
my $s = $r->{json};
is_deeply([ sort keys %$s ], [qw(created_at file_id id shared_with)], 'share shape');
is($s->{shared_with}, $bob->{username}, 'shared_with');

$r = api('POST', '/api/shares', token => $alice->{token}, json => { file_id => $f->{id}, shared_with => $bob->{username} });
is($r->{status}, 409, 'twice 409');
is($r->{json}{code}, 'already_shared', '  already_shared');
$r = api('POST', '/api/shares', token => $alice->{token}, json => { file_id => $f->{id}, shared_with => $alice->{username} });
is($r->{status}, 400, 'self 400');
$r = api('POST', '/api/shares', token => $alice->{token}, json => { file_id => $f->{id}, shared_with => 'nobody_here_x' });
is($r->{status}, 404, 'unknown user 404');
$r = api('POST', '/api/shares', token => $alice->{token}, json => { file_id => $f->{id}, shared_with => "b\xc3\xb8b" });
is($r->{status}, 404, 'a non-ASCII recipient name is an unknown user');
$r = api('POST', '/api/shares', token => $bob->{token}, json => { file_id => $f->{id}, shared_with => $carol->{username} });
is($r->{status}, 404, "sharing someone else's file 404");
$r = api('POST', '/api/shares', token => $alice->{token}, json => { file_id => 'x', shared_with => 'bob' });
is($r->{status}, 400, 'bad file_id 400');

$r = api('GET', '/api/shares/with-me', token => $bob->{token});
is($r->{status}, 200, 'with-me');
my ($w) = grep { $_->{id} == $s->{id} } @{ $r->{json} };
is_deeply([ sort keys %$w ], [qw(created_at file_id id mime_type name owner size)], 'with-me shape');
is($w->{owner}, $alice->{username}, 'owner named');
is($w->{size}, 100000, 'size');
$r = api('GET', '/api/shares/by-me', token => $alice->{token});
my ($b) = grep { $_->{id} == $s->{id} } @{ $r->{json} };
is_deeply([ sort keys %$b ], [qw(created_at file_id id name shared_with)], 'by-me shape');
is(scalar @{ api('GET', '/api/shares/with-me', token => $carol->{token})->{json} }, 0, 'carol sees nothing');

# Bob downloads, byte-exact, Range too; Carol cannot.
$r = api('GET', "/api/files/$f->{id}/download", token => $bob->{token}, out => "$dir/b");
is($r->{status}, 200, 'recipient downloads');
ok(read_file("$dir/b") eq $data, '  byte-exact');
$r = api('GET', "/api/files/$f->{id}/download", token => $bob->{token}, headers => ['Range: bytes=70000-70009'], out => "$dir/b");
ok($r->{status} == 206 && read_file("$dir/b") eq substr($data, 70000, 10), 'recipient Range');
is(api('GET', "/api/files/$f->{id}/download", token => $carol->{token})->{status}, 404, 'carol 404');

# Read-only for Bob.
is(api('PATCH', "/api/files/$f->{id}", token => $bob->{token}, json => { name => 'x' })->{status}, 404, 'recipient cannot rename');
is(api('DELETE', "/api/files/$f->{id}", token => $bob->{token})->{status}, 404, 'recipient cannot delete');
is(api('POST', "/api/files/$f->{id}/share-link", token => $bob->{token}, json => {})->{status}, 404, 'recipient cannot link');

# Revoke by the recipient, then by the owner.
is(api('DELETE', "/api/shares/$s->{id}", token => $carol->{token})->{status}, 404, 'third party cannot revoke');
$r = api('DELETE', "/api/shares/$s->{id}", token => $bob->{token});
is($r->{status}, 200, 'recipient revokes');
is(api('GET', "/api/files/$f->{id}/download", token => $bob->{token})->{status}, 404, 'revoked at once');
my $s2 = api('POST', '/api/shares', token => $alice->{token}, json => { file_id => $f->{id}, shared_with => $bob->{username} })->{json};
is(api('DELETE', "/api/shares/$s2->{id}", token => $alice->{token})->{status}, 200, 'owner revokes');
is(api('GET', "/api/files/$f->{id}/download", token => $bob->{token})->{status}, 404, 'revoked at once');

# A share dies with its file.
my $s3 = api('POST', '/api/shares', token => $alice->{token}, json => { file_id => $f->{id}, shared_with => $carol->{username} })->{json};
api('DELETE', "/api/files/$f->{id}", token => $alice->{token});
ok(!grep({ $_->{id} == $s3->{id} } @{ api('GET', '/api/shares/with-me', token => $carol->{token})->{json} }),
    'share gone with the file');

# Audit.
my $audit = api('GET', '/api/admin/audit?action=share_create&limit=20', token => admin_token());
ok(grep({ $_->{target_id} == $s->{id} } @{ $audit->{json} }), 'share creation audited');
done_testing();
