# Failed-login throttle (SPEC §3): 10 per username and per client IP in
# 15 minutes, then 429 with Retry-After, counted in MariaDB (so across
# all workers), checked before any password hashing.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $u = new_user();
# .100-.249: t/15 logs in from .77 and .78, and this test trips the
# throttle of its address.
my $ip = '203.0.113.' . (100 + $$ % 150);

for my $i (1 .. 10) {
	my $r = api('POST', '/api/auth/login', ip => $ip,
	    json => { username => $u->{username}, password => "wrong-$i-xx" });
	is($r->{status}, 401, "failure $i is 401");
}
my $r = api('POST', '/api/auth/login', ip => $ip,
    json => { username => $u->{username}, password => $u->{password} });
is($r->{status}, 429, 'the 11th attempt is 429, even with the right password');
is($r->{json}{code}, 'rate_limited', 'code rate_limited');
like($r->{headers}{'retry-after'}, qr/^\d+$/, 'Retry-After in seconds');
ok($r->{headers}{'retry-after'} > 0 && $r->{headers}{'retry-after'} <= 900,
    'Retry-After within the window');

# The username is limited from another address too.
$r = api('POST', '/api/auth/login', ip => '203.0.113.250',
    json => { username => $u->{username}, password => $u->{password} });
is($r->{status}, 429, 'same username from another IP is 429');

# The IP is limited for other usernames too.
my $v = new_user();
$r = api('POST', '/api/auth/login', ip => $ip,
    json => { username => $v->{username}, password => $v->{password} });
is($r->{status}, 429, 'another username from the same IP is 429');

# Others are unaffected.
$r = api('POST', '/api/auth/login', ip => '203.0.113.251',
    json => { username => $v->{username}, password => $v->{password} });
is($r->{status}, 200, 'another user from another IP logs in');

# Existing sessions keep working: the limit is on logins only.
is(api('GET', '/api/auth/me', token => $u->{token})->{status}, 200,
    'a throttled user keeps existing sessions');

# Audit recorded the failures and the trip.
my $audit = api('GET', '/api/admin/audit?action=rate_limited&limit=5', token => admin_token());
is($audit->{status}, 200, 'audit lists');
ok(scalar(grep { ($_->{details}{subject} // '') eq lc $u->{username} } @{ $audit->{json} }),
    'rate-limit trip audited with the username');
$audit = api('GET', '/api/admin/audit?action=login_failed&limit=20', token => admin_token());
ok(scalar(grep { $_->{ip} eq $ip } @{ $audit->{json} }) >= 10,
    'failed logins audited with the client IP');
done_testing();
