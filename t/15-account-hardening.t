# Accounts against a hostile client (issue 8): password change and key
# management need a signed-in session; wrong current passwords are
# throttled and audited; registrations are limited per address and old
# pending accounts can be purged; duplicate credential headers and mixed
# users are 401; every X-Forwarded-For line is read; share recipients of a
# suspended owner lose access.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $admin = admin_token();
my $u = new_user();
my $v = new_user();
my $key = api('POST', '/api/apikeys', token => $u->{token}, json => { name => 'script' })->{json};
my $vkey = api('POST', '/api/apikeys', token => $v->{token}, json => { name => 'script' })->{json};
sub rnd6 { sprintf('2001:db8:%x:%x::1', int rand 65536, int rand 65536) }

# 4. A key cannot change the password or manage keys.
my $r = api('POST', '/api/auth/password', key => $key->{key},
    json => { current_password => $u->{password}, new_password => 'new-password-1' });
is($r->{status}, 403, 'password change with an API key: 403');
is($r->{json}{code}, 'session_required', '  session_required');
$r = api('POST', '/api/apikeys', key => $key->{key}, json => { name => 'more' });
is($r->{status}, 403, 'key create with an API key: 403');
is($r->{json}{code}, 'session_required', '  session_required');
$r = api('DELETE', "/api/apikeys/$key->{id}", key => $key->{key});
is($r->{json}{code}, 'session_required', 'key revoke with an API key: 403 session_required');
is(api('GET', '/api/apikeys', key => $key->{key})->{status}, 200, 'listing keys with a key still works');

# 6. Duplicate credential headers, and a token and key of two users.
is(api('GET', '/api/auth/me', key => $key->{key}, headers => ['X-API-Key: tck_bogus'])->{status}, 401,
    'X-API-Key twice (valid, then invalid): 401');
is(api('GET', '/api/auth/me', key => $key->{key}, headers => ["X-API-Key: $key->{key}"])->{status}, 401,
    'X-API-Key twice, both valid: 401');
# nginx itself refuses a second Authorization line (400); other fronts
# pass it on and the worker says 401.
like(api('GET', '/api/auth/me', token => $u->{token}, headers => ["Authorization: Bearer $u->{token}"])->{status},
    qr/^40[01]$/, 'Authorization twice: refused');
is(api('GET', '/api/auth/me', token => $u->{token}, key => $vkey->{key})->{status}, 401,
    'Bearer of one user and key of another: 401');
is(api('GET', '/api/auth/me', token => $u->{token}, key => $key->{key})->{status}, 200,
    'Bearer and key of the same user: 200');

# X-Forwarded-For: every line, the right-most hop that is not our proxy.
my $who = random_name('xff');
api('POST', '/api/auth/login', json => { username => $who, password => 'wrong-password' },
    headers => ['X-Forwarded-For: 203.0.113.77, 127.0.0.1']);
my $au = api('GET', '/api/admin/audit?action=login_failed&limit=50', token => $admin)->{json};
my ($row) = grep { ($_->{details}{username} // '') eq $who } @$au;
is($row->{ip}, '203.0.113.77', 'the second X-Forwarded-For line is read, trusted hops skipped');
$who = random_name('xff');
api('POST', '/api/auth/login', json => { username => $who, password => 'wrong-password' },
    headers => [ (map { "X-Forwarded-For: 10.9.8.$_" } 1 .. 40), 'X-Forwarded-For: 203.0.113.78' ]);
$au = api('GET', '/api/admin/audit?action=login_failed&limit=50', token => $admin)->{json};
($row) = grep { ($_->{details}{username} // '') eq $who } @$au;
is($row->{ip}, '203.0.113.78', 'however many lines come first, the last one counts');
# A hop that is no printable ASCII (a proxy passing a client's bytes on)
# is no address: the proxy is the client, and the failure is still
# audited (and counted) instead of lost on the column's character set.
$who = random_name('xff');
api('POST', '/api/auth/login', json => { username => $who, password => 'wrong-password' },
    headers => ["X-Forwarded-For: \xff\xfe"]);
$au = api('GET', '/api/admin/audit?action=login_failed&limit=50', token => $admin)->{json};
($row) = grep { ($_->{details}{username} // '') eq $who } @$au;
is($row && $row->{ip}, '127.0.0.1', 'a hop of non-ASCII bytes: the trusted proxy is the client, audited');
# A failed login's username is kept to 32 bytes, cut on a character
# boundary: a cut inside one lost the audit row and the count.
$who = random_name('cut');
api('POST', '/api/auth/login', json => qq({"username":"$who@{[ "\xc3\xa9" x 12 ]}","password":"wrong-password"}));
$au = api('GET', '/api/admin/audit?action=login_failed&limit=50', token => $admin)->{json};
($row) = grep { index($_->{details}{username} // '', $who) == 0 } @$au;
is($row && $row->{details}{username}, $who . "\xc3\xa9" x int((32 - length $who) / 2), 'a long non-ASCII username: the failure is audited, cut between characters');

# 4. Wrong current passwords: throttled (per account) and audited.
my $ip = rnd6();
my @c = map { api('POST', '/api/auth/password', token => $u->{token}, ip => $ip,
    json => { current_password => "guess-$_-xx", new_password => 'whatever123' })->{status} } 1 .. 10;
is("@c", join(' ', ('403') x 10), 'ten wrong current passwords: 403');
$r = api('POST', '/api/auth/password', token => $u->{token}, ip => rnd6(),
    json => { current_password => $u->{password}, new_password => 'whatever123' });
is($r->{status}, 429, 'then 429 for the account, from any address, even with the right one');
ok($r->{headers}{'retry-after'} > 0, '  Retry-After');
$au = api('GET', "/api/admin/audit?actor=$u->{username}&action=password_change_failed&limit=50", token => $admin)->{json};
is(scalar @$au, 10, 'each failure audited');
$au = api('GET', '/api/admin/audit?action=rate_limited&limit=50', token => $admin)->{json};
ok((grep { ($_->{target_type} // '') eq 'password' && ($_->{details}{subject} // '') eq $u->{username} } @$au),
    'the trip audited');
is(api('GET', '/api/auth/me', token => $u->{token})->{status}, 200, 'the password did not change');

# 7. Share recipients of a suspended owner.
my $p = write_file(tmpdir() . '/s.txt', 'shared bytes');
my $f = api('POST', '/api/files/upload', token => $v->{token}, form => ["file=\@$p"])->{json};
api('POST', '/api/shares', token => $v->{token}, json => { file_id => $f->{id}, shared_with => $u->{username} });
is(api('GET', "/api/files/$f->{id}/download", token => $u->{token})->{status}, 200, 'recipient downloads');
api('PATCH', "/api/admin/users/$v->{id}", token => $admin, json => { suspended => JSON::PP::true });
is(api('GET', "/api/files/$f->{id}/download", token => $u->{token})->{status}, 404,
    'owner suspended: the recipient cannot download');
ok(!(grep { $_->{file_id} == $f->{id} } @{ api('GET', '/api/shares/with-me', token => $u->{token})->{json} }),
    '  nor see it in with-me');
api('PATCH', "/api/admin/users/$v->{id}", token => $admin, json => { suspended => JSON::PP::false });
is(api('GET', "/api/files/$f->{id}/download", token => $u->{token})->{status}, 200, 'owner active again: access back');

# 5. Registrations per address (default 20 an hour), IPv6 per /64.
my $net = rnd6() =~ s/::1$//r;
my @reg;
for my $i (1 .. 21) {
	my $n = random_name('rg');
	push @reg, api('POST', '/api/auth/register', ip => "$net:0:0:0:$i",
	    json => { username => $n, email => "$n\@example.com", password => 'password-123' })->{status};
}
is("@reg[0..19]", join(' ', ('201') x 20), 'twenty registrations from one /64');
is($reg[20], 429, 'the next is 429');
$au = api('GET', '/api/admin/audit?action=rate_limited&limit=50', token => $admin)->{json};
ok((grep { ($_->{target_type} // '') eq 'register' } @$au), 'the trip audited');

# Purging pending accounts older than N days.
my $pend = new_user(pending => 1);
$r = api('POST', '/api/admin/users/purge-pending', token => $admin, json => { older_than_days => 1 });
is($r->{status}, 200, 'purge older than 1 day: 200');
ok((grep { $_->{id} == $pend->{id} } @{ api('GET', '/api/admin/users?status=pending', token => $admin)->{json} }),
    '  a new pending account stays');
is(api('POST', '/api/admin/users/purge-pending', token => $u->{token}, json => { older_than_days => 0 })->{status},
    403, 'users may not purge');
is(api('POST', '/api/admin/users/purge-pending', token => $admin, json => { older_than_days => -1 })->{status},
    400, 'negative days: 400');
sleep 1;
$r = api('POST', '/api/admin/users/purge-pending', token => $admin, json => { older_than_days => 0 });
ok($r->{status} == 200 && $r->{json}{purged} >= 21, 'purge older than 0 days takes every pending account')
    or diag $r->{body};
ok(!(grep { $_->{id} == $pend->{id} } @{ api('GET', '/api/admin/users', token => $admin)->{json} }),
    '  it is gone');
is(api('GET', '/api/auth/me', token => $u->{token})->{status}, 200, '  active accounts stay');
my ($rc, $out) = ctl('purge-pending 30');
is($rc, 0, 'tcloudctl purge-pending 30') or diag $out;
like($out, qr/^purged \d+ pending account/, '  says how many');
done_testing();
