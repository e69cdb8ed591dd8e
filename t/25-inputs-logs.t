# Inputs and logs (issue 8): times after 2038, malformed percent-escapes,
# spoofing characters in names; link tokens masked and control bytes
# escaped in the worker log, which is 0600; ETags that do not reveal the
# blob's name on disk.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $S = $ENV{TCLOUD_STATE} or plan skip_all => 'TCLOUD_STATE is not set';
my $u = new_user();
my $t = $u->{token};
my $dir = tmpdir();
my $p = write_file("$dir/a.txt", 'some bytes for an etag');
my $f = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p"])->{json};

# 11. expires_at after 2038 works; the last representable time too.
for my $when ('2100-01-01 00:00:00', '9999-12-31 23:59:59') {
	my $r = api('POST', '/api/apikeys', token => $t, json => { name => "k$when", expires_at => $when });
	is($r->{status}, 201, "API key expiring $when: 201") or diag $r->{body};
	is($r->{json}{expires_at}, $when, '  stored as given');
	ok(api('GET', '/api/auth/me', key => $r->{json}{key})->{status} == 200, '  and it works');
	$r = api('POST', "/api/files/$f->{id}/share-link", token => $t, json => { expires_at => $when });
	is($r->{status}, 201, "link expiring $when: 201") or diag $r->{body};
	is($r->{json}{expires_at}, $when, '  stored as given');
	is(api('GET', "/api/share/$r->{json}{token}")->{status}, 200, '  and it works');
}
is(api('POST', "/api/files/$f->{id}/share-link", token => $t, json => { max_downloads => 1000001 })->{status}, 400,
    'max_downloads beyond 1000000: 400');

# Malformed percent-escapes in the query are 400, not "absent".
for my $q ('folder_id=%zz', 'folder_id=%4', 'limit=1&offset=%G0', 'x=%00') {
	my $r = api('GET', "/api/files?$q", token => $t);
	is($r->{status}, 400, "?$q: 400");
	is($r->{json}{code}, 'invalid_query', '  invalid_query');
}
is(api('POST', "/api/files/upload?on_conflict=%zz", token => $t, form => ["file=\@$p"])->{status}, 400,
    'upload ?on_conflict=%zz: 400');
is(api('GET', '/api/files?folder_id=', token => $t)->{status}, 200, 'an empty value is still fine');

# Bidi controls and invisible characters in names.
for my $cp (0x202E, 0x200B, 0x2066, 0xFEFF, 0x2060, 0x061C) {
	my $c = chr $cp;
	utf8::encode($c);
	my $name = "gnp${c}.exe";
	my $hex = sprintf('U+%04X', $cp);
	my $r = api('POST', '/api/folders', token => $t, json => { name => $name });
	is($r->{status}, 400, "folder name with $hex: 400");
	is($r->{json}{code}, 'invalid_name', '  invalid_name');
}
my $bidi = write_file("$dir/bidi", 'x');
my $r = api('POST', '/api/files/upload', token => $t, form => ["file=\@$bidi;filename=\x{E2}\x{80}\x{AE}gnp.exe"]);
is($r->{status}, 400, 'upload named with U+202E: 400');
is(api('PATCH', "/api/files/$f->{id}", token => $t, json => { name => "a\xE2\x80\x8F.txt" })->{status}, 400,
    'rename to a name with U+200F: 400');

# 18. The ETag is not the blob id.
$r = api('GET', "/api/files/$f->{id}/download", token => $t);
my ($etag) = ($r->{headers}{etag} // '') =~ /^"([0-9a-f]+)"$/;
ok($etag, 'an ETag');
my %blobs = map { (m{([^/]+)$})[0] => 1 } glob("$S/data/blobs/*/*/*");
ok(scalar keys %blobs, 'blob files found');
ok(!$blobs{$etag} && !(grep { index($_, $etag) >= 0 || index($etag, $_) >= 0 } keys %blobs),
    'the ETag is no blob name');
is(api('GET', "/api/files/$f->{id}/download", token => $t)->{headers}{etag}, qq("$etag"), 'stable');
is(api('GET', "/api/files/$f->{id}/download", token => $t, headers => [qq(If-None-Match: "$etag")])->{status},
    304, 'If-None-Match still 304');

# 17. The worker log: tokens masked, control bytes escaped, mode 0600.
my $log = "$S/log/tcloud.log";
my $l = api('POST', "/api/files/$f->{id}/share-link", token => $t, json => { expires_at => undef })->{json};
api('GET', "/api/share/$l->{token}");
api('GET', "/api/share/$l->{token}/download", out => "$dir/x");
my $mark = random_name('forged');
api('GET', "/api/nothing%0a2026-01-01T00:00:00Z%20tcloud[1]%20info:%20$mark");
sleep 1;
my $text = read_file($log);
ok(index($text, $l->{token}) < 0, 'the link token is nowhere in the worker log');
like($text, qr{/api/share/\[masked\]/download}, '  it is masked');
ok(!($text =~ /^2026-01-01T00:00:00Z tcloud\[1\] info: \Q$mark\E/m), 'a %0a in the URL forges no line');
like($text, qr/\\x0a2026-01-01T00:00:00Z tcloud\[1\] info: \Q$mark\E/, '  it is escaped as \x0a');
is(sprintf('%o', (stat $log)[2] & 07777), '600', 'the worker log is 0600');
done_testing();
