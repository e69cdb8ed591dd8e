# Public links (SPEC §4 Public links): create-or-update with the same
# token, anonymous metadata and download, browser redirect, options
# (download toggle, expiry, password, max downloads), folder browsing and
# ZIP, revocation, and the security headers.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $u = new_user();
my $t = $u->{token};
my $dir = tmpdir();
my $data = join('', map { chr(($_ * 13) % 256) } 1 .. 200000);
my $p = write_file("$dir/report.pdf", $data);
my $f = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p"])->{json};

my $r = api('POST', "/api/files/$f->{id}/share-link", token => $t, json => { allow_download => JSON::PP::true });
is($r->{status}, 201, 'create link 201');
my $l = $r->{json};
like($l->{token}, qr/^[A-Za-z0-9_-]{43}$/, 'token 43 base64url');
is($l->{url}, url("/api/share/$l->{token}"), 'url from public_base_url');
is_deeply([ sort keys %$l ], [qw(allow_download downloads expires_at max_downloads password_protected token url)],
    'link shape');
$r = api('GET', "/api/files/$f->{id}/share-link", token => $t);
is($r->{status}, 200, 'GET the link');
is($r->{json}{token}, $l->{token}, '  same token');
is(api('GET', "/api/files/$f->{id}/share-link", token => new_user()->{token})->{status}, 404,
    "another user's GET is 404");

$r = api('POST', "/api/files/$f->{id}/share-link", token => $t, json => { allow_download => JSON::PP::false });
is($r->{json}{token}, $l->{token}, 'POST again: same token');
ok(!$r->{json}{allow_download}, '  settings updated');

# Anonymous metadata, download disabled.
$r = api('GET', "/api/share/$l->{token}");
is($r->{status}, 200, 'anonymous metadata');
is($r->{json}{type}, 'file', 'type file');
is($r->{json}{name}, 'report.pdf', 'name');
is($r->{json}{size}, 200000, 'size');
is($r->{json}{mime_type}, 'application/pdf', 'mime');
is($r->{headers}{'x-content-type-options'}, 'nosniff', 'nosniff');
is($r->{headers}{'content-security-policy'}, "default-src 'none'", 'CSP');
$r = api('GET', "/api/share/$l->{token}/download");
is($r->{status}, 403, 'download disabled 403');
is($r->{json}{code}, 'download_disabled', '  download_disabled');

api('POST', "/api/files/$f->{id}/share-link", token => $t, json => { allow_download => JSON::PP::true });
$r = api('GET', "/api/share/$l->{token}/download", out => "$dir/pub");
is($r->{status}, 200, 'anonymous download');
ok(read_file("$dir/pub") eq $data, '  byte-exact');
like($r->{headers}{'content-disposition'}, qr/^attachment/, '  attachment');
is($r->{headers}{'content-security-policy'}, "default-src 'none'", '  CSP on download');
$r = api('GET', "/api/share/$l->{token}/download", headers => ['Range: bytes=65536-65545'], out => "$dir/pub");
ok($r->{status} == 206 && read_file("$dir/pub") eq substr($data, 65536, 10), 'Range through a link');

# A browser is sent to the human page.
$r = api('GET', "/api/share/$l->{token}", headers => ['Accept: text/html,application/xhtml+xml,*/*;q=0.8']);
is($r->{status}, 302, 'browser gets 302');
is($r->{headers}{location}, "/s/$l->{token}", '  to /s/<token>');

# Unknown tokens.
is(api('GET', '/api/share/' . ('A' x 43))->{status}, 404, 'unknown token 404');
is(api('GET', '/api/share/bad.token')->{status}, 404, 'malformed token 404');

# Password.
$r = api('POST', "/api/files/$f->{id}/share-link", token => $t, json => { password => 'open sesame' });
ok($r->{json}{password_protected}, 'password_protected in the reply');
$r = api('GET', "/api/share/$l->{token}");
is($r->{status}, 401, 'no password 401');
is($r->{json}{code}, 'password_required', '  password_required');
$r = api('GET', "/api/share/$l->{token}/download", headers => ['X-Share-Password: wrong']);
is($r->{status}, 403, 'wrong password 403');
is($r->{json}{code}, 'wrong_password', '  wrong_password');
$r = api('GET', "/api/share/$l->{token}/download", headers => ['X-Share-Password: open sesame'], out => "$dir/pub");
ok($r->{status} == 200 && read_file("$dir/pub") eq $data, 'right password downloads');
is(api('GET', "/api/share/$l->{token}?password=open%20sesame")->{status}, 200, '?password= works');
api('POST', "/api/files/$f->{id}/share-link", token => $t, json => { password => undef });
is(api('GET', "/api/share/$l->{token}")->{status}, 200, 'password removed with null');

# max_downloads: whole copies, whatever the mix of whole and ranged GETs
# (a range costs its share of a copy; 200000 bytes: 10 bytes = 50 units).
api('POST', "/api/files/$f->{id}/share-link", token => $t, json => { max_downloads => 2 });
is(api('GET', "/api/share/$l->{token}")->{status}, 200, 'metadata does not count');
is(api('HEAD', "/api/share/$l->{token}/download")->{status}, 200, 'HEAD does not count');
is(api('GET', "/api/share/$l->{token}/download", headers => ['Range: bytes=0-9'])->{status}, 206,
    'a Range costs its share of a copy');
is(api('GET', "/api/share/$l->{token}/download", headers => ['Range: bogus'], out => "$dir/x")->{status}, 200,
    'an unusable Range gets the whole body: copy 1 of 2');
is(api('GET', "/api/share/$l->{token}/download", out => "$dir/x")->{status}, 404,
    'no second whole copy: the range used part of it');
is(api('GET', "/api/files/$f->{id}/share-link", token => $t)->{json}{downloads}, 2, '  downloads counts copies begun');
is(api('GET', "/api/share/$l->{token}/download", headers => ['Range: bytes=10-'], out => "$dir/x")->{status}, 206,
    'the rest of the file fits what is left');
is(api('GET', "/api/share/$l->{token}/download", headers => ['Range: bytes=0-0'], out => "$dir/x")->{status}, 404,
    'used up: not even one byte more');
is(api('GET', "/api/share/$l->{token}/download", out => "$dir/x")->{status}, 404, 'used up: 404');
is(api('GET', "/api/share/$l->{token}")->{status}, 404, 'used up: metadata 404 too');
api('POST', "/api/files/$f->{id}/share-link", token => $t, json => { max_downloads => undef });
is(api('GET', "/api/share/$l->{token}")->{status}, 200, 'limit lifted');

# Expiry.
my @g = gmtime(time + 2);
my $soon = sprintf('%04d-%02d-%02d %02d:%02d:%02d', $g[5] + 1900, $g[4] + 1, @g[3, 2, 1, 0]);
$r = api('POST', "/api/files/$f->{id}/share-link", token => $t, json => { expires_at => $soon });
is($r->{json}{expires_at}, $soon, 'expires_at set');
is(api('GET', "/api/share/$l->{token}")->{status}, 200, 'works before expiry');
sleep 3;
is(api('GET', "/api/share/$l->{token}")->{status}, 404, 'expired 404');
is(api('POST', "/api/files/$f->{id}/share-link", token => $t, json => { expires_at => '2000-01-01 00:00:00' })->{status},
    400, 'past expiry 400');
api('POST', "/api/files/$f->{id}/share-link", token => $t, json => { expires_at => undef });
is(api('GET', "/api/share/$l->{token}")->{status}, 200, 'expiry removed');

# Others cannot manage the link; revoke kills it at once.
my $v = new_user();
is(api('POST', "/api/files/$f->{id}/share-link", token => $v->{token}, json => {})->{status}, 404, 'other: 404');
is(api('DELETE', "/api/files/$f->{id}/share-link", token => $v->{token})->{status}, 404, 'other: revoke 404');
$r = api('DELETE', "/api/files/$f->{id}/share-link", token => $t);
is($r->{status}, 200, 'revoke');
is(api('GET', "/api/share/$l->{token}")->{status}, 404, 'revoked: 404 at once');
is(api('DELETE', "/api/files/$f->{id}/share-link", token => $t)->{status}, 404, 'revoke twice 404');
is(api('GET', "/api/files/$f->{id}/share-link", token => $t)->{status}, 404, 'GET after revoke: 404');
# A bare POST (no body at all) is an empty object: all fields optional.
my $bare = api('POST', "/api/files/$f->{id}/share-link", token => $t);
is($bare->{status}, 201, 'POST share-link without a body creates the link');
my $l2 = $bare->{json};
ok($l2->{allow_download}, '  downloads allowed by default');
isnt($l2->{token}, $l->{token}, 'a new link has a new token');

# Folder links: browse below, never above, one file, ZIP.
my $top = api('POST', '/api/folders', token => $t, json => { name => 'Outer' })->{json};
my $shared = api('POST', '/api/folders', token => $t, json => { name => 'Shared', parent_id => $top->{id} })->{json};
my $sub = api('POST', '/api/folders', token => $t, json => { name => 'Sub ü', parent_id => $shared->{id} })->{json};
my $empty = api('POST', '/api/folders', token => $t, json => { name => 'Empty', parent_id => $shared->{id} })->{json};
my $secret = api('POST', "/api/files/upload?folder_id=$top->{id}", token => $t, form => ["file=\@$p;filename=secret.txt"])->{json};
my $bin = join('', map { chr } 0 .. 255) x 10;
my $pb = write_file("$dir/bin", $bin);
my $fa = api('POST', "/api/files/upload?folder_id=$shared->{id}", token => $t, form => ["file=\@$pb;filename=all-bytes.bin"])->{json};
my $pe = write_file("$dir/e", '');
my $fe = api('POST', "/api/files/upload?folder_id=$sub->{id}", token => $t, form => ["file=\@$pe;filename=empty.txt"])->{json};
my $fu = api('POST', "/api/files/upload?folder_id=$sub->{id}", token => $t, form => ["file=\@$p;filename=日本語.pdf"])->{json};

my $fl = api('POST', "/api/folders/$shared->{id}/share-link", token => $t, json => {})->{json};
$r = api('GET', "/api/share/$fl->{token}");
is($r->{status}, 200, 'folder link metadata');
is($r->{json}{type}, 'folder', 'type folder');
is($r->{json}{name}, 'Shared', 'name');
is_deeply([ sort map { $_->{name} } @{ $r->{json}{folders} } ], ['Empty', 'Sub ü'], 'subfolders');
is_deeply([ map { $_->{name} } @{ $r->{json}{files} } ], ['all-bytes.bin'], 'files');
$r = api('GET', "/api/share/$fl->{token}?folder_id=$sub->{id}");
is_deeply([ sort map { $_->{name} } @{ $r->{json}{files} } ], ['empty.txt', '日本語.pdf'], 'browse below');
is(api('GET', "/api/share/$fl->{token}?folder_id=$top->{id}")->{status}, 404, 'never above');
$r = api('GET', "/api/share/$fl->{token}/files/$fu->{id}/download", out => "$dir/one");
ok($r->{status} == 200 && read_file("$dir/one") eq $data, 'one file inside');
is(api('GET', "/api/share/$fl->{token}/files/$secret->{id}/download")->{status}, 404, 'file outside the folder 404');
is(api('GET', "/api/share/$l2->{token}/files/$fa->{id}/download")->{status}, 404, 'file route on a file link 404');

$r = api('GET', "/api/share/$fl->{token}/download", out => "$dir/s.zip");
is($r->{status}, 200, 'ZIP download');
is($r->{headers}{'content-type'}, 'application/zip', 'application/zip');
SKIP: {
	# mod_proxy_fcgi passes no length on (chunked).
	skip 'Apache mod_proxy_fcgi chunks the reply', 1 if ($ENV{TCLOUD_FRONT} // '') eq 'apache-proxy';
	is($r->{headers}{'content-length'}, -s "$dir/s.zip", "Content-Length: the archive's exact size");
}
my $test = `unzip -t "$dir/s.zip" 2>&1`;
is($? >> 8, 0, 'unzip -t passes') or diag $test;
mkdir "$dir/unz";
system("cd '$dir/unz' && unzip -q ../s.zip") == 0 or diag 'unzip failed';
ok(read_file("$dir/unz/Shared/all-bytes.bin") eq $bin, 'binary entry byte-exact');
ok(-e "$dir/unz/Shared/Sub ü/empty.txt" && -s "$dir/unz/Shared/Sub ü/empty.txt" == 0, 'empty entry');
ok(read_file("$dir/unz/Shared/Sub ü/日本語.pdf") eq $data, 'unicode entry byte-exact');
ok(-d "$dir/unz/Shared/Empty", 'empty folder kept');
ok(!-e "$dir/unz/Shared/secret.txt" && !-e "$dir/unz/secret.txt", 'nothing from above');

# Links die with their object and owner.
api('DELETE', "/api/folders/$shared->{id}", token => $t);
is(api('GET', "/api/share/$fl->{token}")->{status}, 404, 'folder link dies with its folder');
my $admin = admin_token();
api('PATCH', "/api/admin/users/$u->{id}", token => $admin, json => { suspended => JSON::PP::true });
is(api('GET', "/api/share/$l2->{token}")->{status}, 404, "suspended owner's links stop");
api('PATCH', "/api/admin/users/$u->{id}", token => $admin, json => { approved => JSON::PP::true });
is(api('GET', "/api/share/$l2->{token}")->{status}, 200, 'and come back on reactivation');

my $audit = api('GET', '/api/admin/audit?action=link_download&limit=50', token => $admin);
ok(scalar @{ $audit->{json} } >= 3, 'public-link downloads audited');
done_testing();
