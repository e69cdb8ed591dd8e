# POST /api/files/{id}/copy: the bytes again under a fresh data key
# (another ETag, the blob is not shared), beside the original with the
# " (n)" rename, into a folder, charged to the quota, 404 for another
# user's file, and a delete of the original leaves the copy readable.
use strict;
use warnings;
use Test::More;
use TCloud;

my $u = new_user();
my $t = $u->{token};
my $dir = tmpdir();
my $src = write_file("$dir/c.bin", join('', map { chr($_ % 251) } 0 .. 140000));
my $f = api('POST', '/api/files/upload', token => $t, form => ["file=\@$src"])->{json};
my $folder = api('POST', '/api/folders', token => $t, json => { name => 'into' })->{json}{id};
my $used = api('GET', '/api/auth/me', token => $t)->{json}{used_bytes};

my $r = api('POST', "/api/files/$f->{id}/copy", token => $t, json => {});
is($r->{status}, 201, 'copy beside the original: 201');
is($r->{json}{name}, 'c (1).bin', '  renamed " (1)"');
is($r->{json}{size}, 140001, '  same size');
ok($r->{json}{id} != $f->{id}, '  a new file');
my $c1 = $r->{json}{id};
is(api('GET', '/api/auth/me', token => $t)->{json}{used_bytes}, $used + 140001, '  charged');

my $d0 = api('GET', "/api/files/$f->{id}/download", token => $t, out => "$dir/d0");
my $d1 = api('GET', "/api/files/$c1/download", token => $t, out => "$dir/d1");
ok(read_file("$dir/d1") eq read_file($src), 'the copy is byte-exact');
isnt($d1->{headers}{etag}, $d0->{headers}{etag}, '  under its own blob (another ETag)');

$r = api('POST', "/api/files/$f->{id}/copy", token => $t, json => { folder_id => $folder, name => 'x.bin' });
is($r->{status}, 201, 'copy into a folder under a new name');
is($r->{json}{folder_id}, $folder, '  in that folder');
is($r->{json}{name}, 'x.bin', '  with that name');
$r = api('POST', "/api/files/$f->{id}/copy", token => $t,
    json => { folder_id => $folder, name => 'x.bin', on_conflict => 'fail' });
is($r->{status}, 409, 'on_conflict fail on a taken name: 409');
is($r->{json}{code}, 'name_exists', '  name_exists');
$r = api('POST', "/api/files/$f->{id}/copy", token => $t, json => { name => 'a/b' });
is($r->{json}{code}, 'invalid_name', 'a bad name: invalid_name');
$r = api('POST', "/api/files/$f->{id}/copy", token => $t, json => { folder_id => 999999999 });
is($r->{status}, 404, 'into no such folder: 404');

my $o = new_user();
$r = api('POST', "/api/files/$f->{id}/copy", token => $o->{token}, json => {});
is($r->{status}, 404, "another user's file: 404");

is(api('DELETE', "/api/files/$f->{id}", token => $t)->{status}, 200, 'delete the original');
$r = api('GET', "/api/files/$c1/download", token => $t, out => "$dir/d2");
is($r->{status}, 200, 'the copy still downloads');
ok(read_file("$dir/d2") eq read_file($src), '  byte-exact');

done_testing();
