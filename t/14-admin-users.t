# Admin account lifecycle (SPEC §4 Admin): list, filter, approve, suspend,
# role, quota, last admin, and that only admins may call.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $admin = admin_token();
my $p = new_user(pending => 1);

my $r = api('GET', '/api/admin/users', token => $admin);
is($r->{status}, 200, 'list users');
my ($row) = grep { $_->{username} eq $p->{username} } @{ $r->{json} };
is_deeply([ sort keys %$row ], [qw(approved created_at email id last_login_at
    quota_bytes role status used_bytes username)], 'user shape');
is($row->{status}, 'pending', 'pending');
is($row->{last_login_at}, undef, 'never logged in');
my @ids = map { $_->{id} } @{ $r->{json} };
is_deeply(\@ids, [ sort { $a <=> $b } @ids ], 'sorted by id');

for my $s (qw(pending active suspended)) {
	$r = api('GET', "/api/admin/users?status=$s", token => $admin);
	is($r->{status}, 200, "filter $s");
	ok(!grep({ $_->{status} ne $s } @{ $r->{json} }), "  only $s");
}
is(api('GET', '/api/admin/users?status=bogus', token => $admin)->{status}, 400, 'bad filter 400');
is(api('GET', '/api/admin/users?limit=0', token => $admin)->{status}, 400, 'limit 0 is 400');
is(api('GET', '/api/admin/users?limit=1001', token => $admin)->{status}, 400, 'limit 1001 is 400');
is(scalar @{ api('GET', '/api/admin/users?limit=1', token => $admin)->{json} }, 1, 'limit 1');

$r = api('PATCH', "/api/admin/users/$p->{id}", token => $admin, json => { approved => JSON::PP::false });
is($r->{json}{status}, 'pending', 'approved: false leaves a pending account pending');
$r = api('PATCH', "/api/admin/users/$p->{id}", token => $admin,
    json => { approved => JSON::PP::true, quota_gb => 10.0 });
is($r->{status}, 200, 'approve with quota_gb');
is($r->{json}{quota_bytes}, 10737418240, 'quota_gb 10 is 10 GiB');
ok($r->{json}{approved}, 'approved');
$r = api('PATCH', "/api/admin/users/$p->{id}", token => $admin, json => { quota_gb => 5.0 });
is($r->{json}{quota_bytes}, 5368709120, 'quota_gb 5.0 is 5368709120');
$r = api('PATCH', "/api/admin/users/$p->{id}", token => $admin, json => { quota_bytes => 12345 });
is($r->{json}{quota_bytes}, 12345, 'quota_bytes exact');
$r = api('PATCH', "/api/admin/users/$p->{id}", token => $admin, json => { approved => JSON::PP::false });
is($r->{json}{status}, 'suspended', 'approved: false suspends an active account');
$r = api('PATCH', "/api/admin/users/$p->{id}", token => $admin, json => { suspended => JSON::PP::false });
is($r->{json}{status}, 'active', 'suspended: false reactivates');
my $pt = login_token($p->{username}, $p->{password});
is(api('GET', '/api/auth/me', token => $pt)->{json}{quota_bytes}, 12345, 'user sees new quota');

for my $bad ({ role => 'god' }, { quota_gb => -1 }, { quota_bytes => '5' }, { approved => 1 },
    { quota_bytes => 1.5 }) {
	$r = api('PATCH', "/api/admin/users/$p->{id}", token => $admin, json => $bad);
	is($r->{status}, 400, 'bad patch ' . json_of($bad) . ' is 400');
}
is(api('PATCH', '/api/admin/users/999999999', token => $admin, json => { approved => JSON::PP::true })->{status},
    404, 'unknown user 404');
is(api('PATCH', "/api/admin/users/$p->{id}", token => $admin, raw => '[]', ctype => 'application/json')->{status},
    400, 'array body 400');

# Non-admins get 403, anonymous 401.
is(api('GET', '/api/admin/users', token => $pt)->{status}, 403, 'user 403 on list');
is(api('PATCH', "/api/admin/users/$p->{id}", token => $pt, json => { role => 'admin' })->{status},
    403, 'user cannot promote self');
is(api('GET', '/api/admin/users')->{status}, 401, 'anonymous 401');

# Promote to admin: the new admin can act, by token and by API key.
$r = api('PATCH', "/api/admin/users/$p->{id}", token => $admin, json => { role => 'admin' });
is($r->{json}{role}, 'admin', 'promoted');
is(api('GET', '/api/admin/users', token => $pt)->{status}, 200, 'new admin lists users');
my $key = api('POST', '/api/apikeys', token => $pt, json => { name => 'admin-key' })->{json}{key};
is(api('GET', '/api/admin/users', key => $key)->{status}, 200, 'admin by API key');

# Last active admin: with two admins one may go; the last may not.
my $me = api('GET', '/api/auth/me', token => $admin)->{json};
$r = api('PATCH', "/api/admin/users/$p->{id}", token => $admin, json => { role => 'user' });
is($r->{status}, 200, 'demote the second admin');
$r = api('PATCH', "/api/admin/users/$me->{id}", token => $admin, json => { role => 'user' });
is($r->{status}, 409, 'cannot demote the last admin');
is($r->{json}{code}, 'last_admin', 'code last_admin');
$r = api('PATCH', "/api/admin/users/$me->{id}", token => $admin, json => { suspended => JSON::PP::true });
is($r->{status}, 409, 'cannot suspend the last admin');
is(api('GET', '/api/admin/users', token => $admin)->{status}, 200, 'still admin');

# Audit records the change with before/after.
my $audit = api('GET', '/api/admin/audit?action=admin_user_update&limit=10', token => $admin);
my ($ev) = grep { $_->{target_id} == $p->{id} } @{ $audit->{json} };
ok($ev, 'admin change audited');
is($ev->{details}{before}{role}, 'admin', 'before role');
is($ev->{details}{after}{role}, 'user', 'after role');
is($ev->{actor}, 'admin', 'actor named');
my @aid = map { $_->{id} } @{ $audit->{json} };
is_deeply(\@aid, [ sort { $b <=> $a } @aid ], 'audit newest first');
my $older = api('GET', "/api/admin/audit?before_id=$aid[0]&limit=1", token => $admin)->{json};
ok(!@$older || $older->[0]{id} < $aid[0], 'before_id pages back');
# An action filter of no ASCII action name matches nothing (not a 500
# on the column's character set).
for my $q ('action=%C3%A9chec', 'action=%FF%FE') {
	$r = api('GET', "/api/admin/audit?$q", token => $admin);
	is($r->{status}, 200, "audit ?$q: 200");
	is_deeply($r->{json}, [], '  and nothing matches');
}

done_testing();
