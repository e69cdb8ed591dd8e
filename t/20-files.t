# Files (SPEC §4 Files, §5): upload with curl -F as in the seed, byte-exact
# downloads, Range, ETag, names, on_conflict, mime types, quota, and
# another user's ids being 404.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $u = new_user();
my $t = $u->{token};
my $key = api('POST', '/api/apikeys', token => $t, json => { name => 'backup' })->{json}{key};
my $dir = tmpdir();

# The seed's example, verbatim in shape: -H "X-API-Key: <key>" -F "file=@backup.db"
my $db = write_file("$dir/backup.db", join('', map { chr($_ % 256) } 0 .. 300000));
my $r = api('POST', '/api/files/upload', key => $key, form => ["file=\@$db"]);
is($r->{status}, 201, 'seed upload with API key is 201');
my $f = $r->{json};
is_deeply([ sort keys %$f ], [qw(folder_id id mime_type name size)], 'upload shape');
is($f->{name}, 'backup.db', 'name from the filename');
is($f->{size}, 300001, 'size is the plaintext size');
is($f->{folder_id}, undef, 'root folder is null');
is($f->{mime_type}, 'application/vnd.sqlite3', 'an octet-stream part gets its type from the extension');

$r = api('GET', "/api/files/$f->{id}/download", token => $t, out => "$dir/dl");
is($r->{status}, 200, 'download 200');
ok(read_file("$dir/dl") eq read_file($db), 'download is byte-exact');
if (($ENV{TCLOUD_FRONT} // '') eq 'apache-proxy') {
	# mod_proxy_fcgi re-frames a streamed response as chunked.
	ok(($r->{headers}{'content-length'} // 300001) == 300001, 'Content-Length or chunked');
} else {
	is($r->{headers}{'content-length'}, 300001, 'Content-Length');
}
like($r->{headers}{'content-disposition'}, qr/^attachment; .*filename\*=UTF-8''backup\.db/, 'Content-Disposition attachment');
like($r->{headers}{etag}, qr/^"[0-9a-f]{32}"$/, 'ETag');
like($r->{headers}{'last-modified'}, qr/GMT$/, 'Last-Modified');
is($r->{headers}{'accept-ranges'}, 'bytes', 'Accept-Ranges');
my $etag = $r->{headers}{etag};

$r = api('GET', "/api/files/$f->{id}/download", token => $t, headers => ["If-None-Match: $etag"]);
is($r->{status}, 304, 'If-None-Match gives 304');

# Ranges: inside a segment, across the 64 KiB boundary, suffix, open end.
my $orig = read_file($db);
for my $rg ([100, 199], [65530, 65545], [131071, 131072], [299990, 300000]) {
	$r = api('GET', "/api/files/$f->{id}/download", token => $t,
	    headers => ["Range: bytes=$rg->[0]-$rg->[1]"], out => "$dir/rg");
	is($r->{status}, 206, "Range $rg->[0]-$rg->[1] is 206");
	is($r->{headers}{'content-range'}, "bytes $rg->[0]-$rg->[1]/300001", '  Content-Range');
	ok(read_file("$dir/rg") eq substr($orig, $rg->[0], $rg->[1] - $rg->[0] + 1), '  bytes exact');
}
$r = api('GET', "/api/files/$f->{id}/download", token => $t, headers => ['Range: bytes=-10'], out => "$dir/rg");
ok($r->{status} == 206 && read_file("$dir/rg") eq substr($orig, -10), 'suffix range');
$r = api('GET', "/api/files/$f->{id}/download", token => $t, headers => ['Range: bytes=300000-'], out => "$dir/rg");
ok($r->{status} == 206 && read_file("$dir/rg") eq substr($orig, -1), 'open-ended range');
$r = api('GET', "/api/files/$f->{id}/download", token => $t, headers => ['Range: bytes=300001-'] );
is($r->{status}, 416, 'range past the end is 416');
is($r->{headers}{'content-range'}, 'bytes */300001', '  with Content-Range */size');
is($r->{json}{code}, 'range_not_satisfiable', '  JSON code');

# Tricky content: empty, all byte values with CRLFs and fake boundaries.
my $tricky = join('', map { chr } 0 .. 255) . "\r\n--------------------------abc\r\n--\r\n" x 50;
for my $case (['empty.bin', ''], ['tricky.bin', $tricky], ['one.txt', 'x'],
    ['seg.bin', 'A' x 65536], ['seg1.bin', 'B' x 65537]) {
	my $p = write_file("$dir/$case->[0]", $case->[1]);
	$r = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p"]);
	is($r->{status}, 201, "upload $case->[0]");
	is($r->{json}{size}, length $case->[1], '  size');
	my $d = api('GET', "/api/files/$r->{json}{id}/download", token => $t, out => "$dir/o");
	ok(read_file("$dir/o") eq $case->[1], '  round trip byte-exact');
}

# Unicode name, path components cut, mime from part type and extension.
my $p = write_file("$dir/x", 'hello');
$r = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p;filename=résumé 日本.txt"]);
is($r->{status}, 201, 'unicode filename');
is($r->{json}{name}, 'résumé 日本.txt', 'unicode name kept');
is($r->{json}{mime_type}, 'text/plain', 'mime from extension');
my $d = api('GET', "/api/files/$r->{json}{id}/download", token => $t);
like($d->{headers}{'content-disposition'}, qr/filename\*=UTF-8''r%C3%A9sum%C3%A9%20%E6%97%A5%E6%9C%AC\.txt/,
    'RFC 8187 filename*');
$r = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p;filename=C:\\x\\a.txt"]);
is($r->{json}{name}, 'a.txt', 'Windows path cut to its last component');
$r = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p;filename=../../etc/passwd"]);
is($r->{json}{name}, 'passwd', 'unix path cut');
$r = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p;filename=pic.png;type=image/webp"]);
is($r->{json}{mime_type}, 'image/webp', "the part's Content-Type wins");
for my $bad ('..', '.') {
	$r = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p;filename=$bad"]);
	is($r->{status}, 400, "filename '$bad' is 400");
	is($r->{json}{code}, 'invalid_name', '  invalid_name');
}
# A control byte cannot even be part of a well-formed part header.
$r = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p;filename=a\x01b"]);
is($r->{status}, 400, 'control character in the filename is 400');
like($r->{json}{code}, qr/^invalid_(name|multipart)$/, '  with a JSON code');

# on_conflict: rename (default), fail, replace.
my $c1 = write_file("$dir/dup.txt", 'one');
my $a1 = api('POST', '/api/files/upload', token => $t, form => ["file=\@$c1"])->{json};
my $a2 = api('POST', '/api/files/upload', token => $t, form => ["file=\@$c1"])->{json};
is($a2->{name}, 'dup (1).txt', 'rename: dup (1).txt');
my $a3 = api('POST', '/api/files/upload', token => $t, form => ["file=\@$c1"])->{json};
is($a3->{name}, 'dup (2).txt', 'rename: dup (2).txt');
$r = api('POST', '/api/files/upload?on_conflict=fail', token => $t, form => ["file=\@$c1"]);
is($r->{status}, 409, 'fail: 409');
is($r->{json}{code}, 'name_exists', '  name_exists');
my $used0 = api('GET', '/api/auth/me', token => $t)->{json}{used_bytes};
my $c2 = write_file("$dir/dup.txt", 'twenty bytes long!!!');
$r = api('POST', '/api/files/upload?on_conflict=replace', token => $t, form => ["file=\@$c2"]);
is($r->{status}, 201, 'replace 201');
is($r->{json}{id}, $a1->{id}, 'replace keeps the id');
is(api('GET', "/api/files/$a1->{id}/download", token => $t)->{body}, 'twenty bytes long!!!', 'new content');
is(api('GET', '/api/auth/me', token => $t)->{json}{used_bytes}, $used0 + 17, 'quota adjusted by the difference');
is(api('POST', '/api/files/upload?on_conflict=bogus', token => $t, form => ["file=\@$c1"])->{status}, 400,
    'bad on_conflict 400');

# used_bytes equals the sum of sizes.
my $list = api('GET', '/api/files', token => $t);
is($list->{status}, 200, 'list root');
my $sum = 0;
$sum += $_->{size} for @{ $list->{json} };
is(api('GET', '/api/auth/me', token => $t)->{json}{used_bytes}, $sum, 'used_bytes == sum of sizes');
my @names = map { $_->{name} } @{ $list->{json} };
is_deeply(\@names, [ sort @names ], 'list sorted by name');
is_deeply([ sort keys %{ $list->{json}[0] } ],
    [qw(created_at folder_id id mime_type name size updated_at)], 'list item shape');

# Rename and move.
my $fo = api('POST', '/api/folders', token => $t, json => { name => 'Docs', parent_id => undef })->{json};
$r = api('PATCH', "/api/files/$a2->{id}", token => $t, json => { name => 'renamed.txt' });
is($r->{status}, 200, 'rename 200');
is($r->{json}{name}, 'renamed.txt', 'renamed');
$r = api('PATCH', "/api/files/$a2->{id}", token => $t, json => { folder_id => $fo->{id} });
is($r->{json}{folder_id}, $fo->{id}, 'moved into a folder');
is(scalar @{ api('GET', "/api/files?folder_id=$fo->{id}", token => $t)->{json} }, 1, 'listed in the folder');
$r = api('PATCH', "/api/files/$a2->{id}", token => $t, json => { folder_id => -1 });
is($r->{json}{folder_id}, undef, 'folder_id -1 moves to the root');
$r = api('PATCH', "/api/files/$a2->{id}", token => $t, json => { name => 'dup (2).txt' });
is($r->{status}, 409, 'rename onto a taken name 409');
$r = api('PATCH', "/api/files/$a2->{id}", token => $t, json => { name => 'a/b' });
is($r->{status}, 400, 'rename to a bad name 400');
for my $folder ('a', 0, 99999999) {
	is(api('PATCH', "/api/files/$a2->{id}", token => $t, json => { name => 'a/b', folder_id => $folder })
	    ->{json}{code}, 'invalid_name', "a bad name before folder_id $folder");
}
$r = api('PATCH', "/api/files/$a2->{id}", token => $t, json => { folder_id => 99999999 });
is($r->{status}, 404, 'move into an unknown folder 404');

# Upload into a folder, by query and by form field.
$r = api('POST', "/api/files/upload?folder_id=$fo->{id}", token => $t, form => ["file=\@$p"]);
is($r->{json}{folder_id}, $fo->{id}, 'folder_id as query');
$r = api('POST', '/api/files/upload', token => $t, form => ["folder_id=$fo->{id}", "file=\@$c1"]);
is($r->{json}{folder_id}, $fo->{id}, 'folder_id as form part');
# A folder_id part with a NUL in it is no id (not the digits before it).
$r = api('POST', '/api/files/upload', token => $t, raw => "--x\r\nContent-Disposition: form-data; "
    . "name=\"folder_id\"\r\n\r\n$fo->{id}\x002\r\n--x\r\nContent-Disposition: form-data; name=\"file\"; "
    . "filename=\"nul-folder.txt\"\r\n\r\nabc\r\n--x--\r\n", ctype => 'multipart/form-data; boundary=x');
is($r->{status}, 400, 'a folder_id part with a NUL is 400');
is($r->{json}{code}, 'invalid_parameter', '  invalid_parameter');
$r = api('POST', '/api/files/upload?folder_id=99999999', token => $t, form => ["file=\@$p"]);
is($r->{status}, 404, 'unknown folder 404');

# Another user sees nothing of it.
my $v = new_user();
for my $req (['GET', "/api/files/$a2->{id}/download"], ['DELETE', "/api/files/$a2->{id}"],
    ['PATCH', "/api/files/$a2->{id}", { name => 'x' }], ['GET', "/api/files?folder_id=$fo->{id}"]) {
	$r = api($req->[0], $req->[1], token => $v->{token}, $req->[2] ? (json => $req->[2]) : ());
	is($r->{status}, 404, "other user: $req->[0] $req->[1] is 404");
}
$r = api('POST', "/api/files/upload?folder_id=$fo->{id}", token => $v->{token}, form => ["file=\@$p"]);
is($r->{status}, 404, "other user: upload into my folder is 404");

# Bad uploads.
$r = api('POST', '/api/files/upload', token => $t, json => { file => 'x' });
is($r->{status}, 415, 'JSON body to upload is 415');
$r = api('POST', '/api/files/upload', token => $t, form => ['other=1']);
is($r->{status}, 400, 'no file part is 400');
is($r->{json}{code}, 'missing_field', '  missing_field');
$r = api('POST', '/api/files/upload', token => $t, raw => "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\"\r\n\r\nabc",
    ctype => 'multipart/form-data; boundary=x');
is($r->{status}, 400, 'no closing boundary is 400');
$r = api('POST', '/api/files/upload', token => $t, raw => 'abc', ctype => 'multipart/form-data');
is($r->{status}, 415, 'multipart without boundary is 415');
$r = api('POST', '/api/files/upload', form => ["file=\@$p"]);
is($r->{status}, 401, 'anonymous upload is 401');

# Delete frees the quota.
my $before = api('GET', '/api/auth/me', token => $t)->{json}{used_bytes};
$r = api('DELETE', "/api/files/$f->{id}", token => $t);
is($r->{status}, 200, 'delete 200');
is_deeply($r->{json}, { ok => JSON::PP::true }, '{"ok":true}');
is(api('GET', '/api/auth/me', token => $t)->{json}{used_bytes}, $before - 300001, 'quota freed');
is(api('GET', "/api/files/$f->{id}/download", token => $t)->{status}, 404, 'deleted file 404');
is(api('DELETE', "/api/files/$f->{id}", token => $t)->{status}, 404, 'delete twice 404');

done_testing();
