# API keys (SPEC §3, §4 API keys): the seed's flow, shapes, expiry,
# read-only keys, revocation, and both credentials at once.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $u = new_user();
my $t = $u->{token};

my $r = api('POST', '/api/apikeys', token => $t, json => { name => 'my-backup-script' });
is($r->{status}, 201, 'create key 201');
my $k = $r->{json};
is_deeply([ sort keys %$k ], [qw(created_at expires_at id key last_used_at name read_only)],
    'create shape');
like($k->{key}, qr/^tck_[A-Za-z0-9_-]{43}$/, 'key is tck_ + 43 base64url');
is($k->{name}, 'my-backup-script', 'name echoed');
ok(!$k->{read_only}, 'not read-only by default');
is($k->{expires_at}, undef, 'no expiry by default');

$r = api('GET', '/api/auth/me', key => $k->{key});
is($r->{status}, 200, 'me with X-API-Key');
is($r->{json}{username}, $u->{username}, 'key acts as its owner');

$r = api('GET', '/api/apikeys', token => $t);
is($r->{status}, 200, 'list keys');
my ($row) = grep { $_->{id} == $k->{id} } @{ $r->{json} };
ok($row, 'key listed');
ok(!exists $row->{key}, 'list never shows the key');
like($row->{last_used_at} // '', qr/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'last_used_at set after use');
like($row->{created_at}, qr/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, 'created_at is a UTC time');

$r = api('POST', '/api/apikeys', token => $t, json => { name => 'my-backup-script' });
is($r->{status}, 409, 'duplicate key name 409');
is($r->{json}{code}, 'name_exists', 'code name_exists');
for my $bad ('', 'a/b', "a\x01b", '.', '..', 'x' x 256) {
	$r = api('POST', '/api/apikeys', token => $t, json => { name => $bad });
	is($r->{status}, 400, 'bad name ' . substr($bad, 0, 10) . ' is 400');
	is($r->{json}{code}, 'invalid_name', '  code invalid_name');
}
$r = api('POST', '/api/apikeys', token => $t, json => {});
is($r->{json}{code}, 'missing_field', 'missing name');
$r = api('POST', '/api/apikeys', token => $t, json => { name => 'x', expires_at => 'tomorrow' });
is($r->{status}, 400, 'bad expires_at 400');
$r = api('POST', '/api/apikeys', token => $t, json => { name => 'x', expires_at => '2001-01-01 00:00:00' });
is($r->{status}, 400, 'past expires_at 400');
$r = api('POST', '/api/apikeys', token => $t, json => { name => 'x', read_only => 'yes' });
is($r->{status}, 400, 'read_only must be a boolean');

# Keys with owner rights: a key can create keys, a read-only key cannot.
my $ro = api('POST', '/api/apikeys', token => $t,
    json => { name => 'monitor', read_only => JSON::PP::true })->{json};
ok($ro->{read_only}, 'read-only key created');
is(api('GET', '/api/auth/me', key => $ro->{key})->{status}, 200, 'read-only key may GET');
is(api('GET', '/api/apikeys', key => $ro->{key})->{status}, 200, 'read-only key may list');
$r = api('POST', '/api/apikeys', key => $ro->{key}, json => { name => 'escalate' });
is($r->{status}, 403, 'read-only key may not POST');
is($r->{json}{code}, 'forbidden', 'code forbidden');
$r = api('DELETE', "/api/apikeys/$k->{id}", key => $ro->{key});
is($r->{status}, 403, 'read-only key may not DELETE');
$r = api('POST', '/api/auth/logout', key => $ro->{key});
is($r->{status}, 403, 'read-only key may not log out');

# Expiry: a key that expires in 2 s works, then stops.
my $soon = do {
	my @t = gmtime(time + 2);
	sprintf('%04d-%02d-%02d %02d:%02d:%02d', $t[5] + 1900, $t[4] + 1, @t[3, 2, 1, 0]);
};
my $ex = api('POST', '/api/apikeys', token => $t, json => { name => 'short', expires_at => $soon });
is($ex->{status}, 201, 'expiring key created');
is($ex->{json}{expires_at}, $soon, 'expires_at echoed');
is(api('GET', '/api/auth/me', key => $ex->{json}{key})->{status}, 200, 'works before expiry');
sleep 4;
$r = api('GET', '/api/auth/me', key => $ex->{json}{key});
is($r->{status}, 401, 'expired key 401');
is($r->{json}{code}, 'unauthorized', 'code unauthorized');

# An invalid credential next to a valid one is 401.
$r = api('GET', '/api/auth/me', token => $t, key => 'tck_' . ('A' x 43));
is($r->{status}, 401, 'valid token + bad key is 401');
$r = api('GET', '/api/auth/me', token => "$t.x", key => $k->{key});
is($r->{status}, 401, 'bad token + valid key is 401');
is(api('GET', '/api/auth/me', token => $t, key => $k->{key})->{status}, 200,
    'valid token + valid key of the same user is 200');
for my $bad ('', 'tck_', 'abc', 'tck_' . ('A' x 42), 'tck_' . ('A' x 44), 'tck_' . ('!' x 43)) {
	is(api('GET', '/api/auth/me', key => $bad)->{status}, 401, "malformed key '$bad' is 401");
}

# Another user cannot see or revoke my keys.
my $v = new_user();
is(api('DELETE', "/api/apikeys/$k->{id}", token => $v->{token})->{status}, 404,
    "another user's key is 404");
ok(!grep({ $_->{id} == $k->{id} } @{ api('GET', '/api/apikeys', token => $v->{token})->{json} }),
    "another user's list does not show it");

# Revoke.
$r = api('DELETE', "/api/apikeys/$k->{id}", token => $t);
is($r->{status}, 200, 'revoke 200');
is_deeply($r->{json}, { ok => JSON::PP::true }, '{"ok":true}');
is(api('GET', '/api/auth/me', key => $k->{key})->{status}, 401, 'revoked key 401');
is(api('DELETE', "/api/apikeys/$k->{id}", token => $t)->{status}, 404, 'revoke twice 404');

# Suspension stops keys at once.
my $admin = admin_token();
api('PATCH', "/api/admin/users/$u->{id}", token => $admin, json => { suspended => JSON::PP::true });
$r = api('GET', '/api/auth/me', key => $ro->{key});
is($r->{status}, 403, 'suspended owner: key 403');
is($r->{json}{code}, 'account_suspended', 'code account_suspended');
api('PATCH', "/api/admin/users/$u->{id}", token => $admin, json => { approved => JSON::PP::true });
is(api('GET', '/api/auth/me', key => $ro->{key})->{status}, 200, 'unsuspended: key works');

# Audit has the key events.
my $audit = api('GET', '/api/admin/audit?action=apikey_create&limit=50', token => $admin);
ok(grep({ ($_->{target_id} // 0) == $k->{id} } @{ $audit->{json} }), 'key creation audited');
$audit = api('GET', '/api/admin/audit?action=apikey_revoke&limit=50', token => $admin);
ok(grep({ ($_->{target_id} // 0) == $k->{id} } @{ $audit->{json} }), 'key revocation audited');

done_testing();
