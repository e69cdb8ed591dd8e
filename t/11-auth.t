# Auth routes (SPEC §3, §4 Auth): register, login, me, logout, password,
# account states and the JSON errors of every bad input.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $name = random_name('al');
my $pw = 'secret123';

# --- register ----------------------------------------------------------
my $r = api('POST', '/api/auth/register',
    json => { username => $name, email => "$name\@example.com", password => $pw });
is($r->{status}, 201, 'register is 201');
is_deeply($r->{json}, { message => 'Registered. Awaiting admin approval.' },
    'register message as in the seed');

$r = api('POST', '/api/auth/register',
    json => { username => uc $name, email => "x$name\@example.com", password => $pw });
is($r->{status}, 409, 'username taken, case-insensitively');
is($r->{json}{code}, 'username_taken', 'code username_taken');

$r = api('POST', '/api/auth/register',
    json => { username => "b$name", email => "$name\@example.com", password => $pw });
is($r->{status}, 409, 'email taken');
is($r->{json}{code}, 'email_taken', 'code email_taken');

my @bad = (
	[ { email => 'a@b.c', password => $pw }, 'missing_field', 'no username' ],
	[ { username => 'ab', email => 'a@b.c', password => $pw }, 'invalid_username', 'short username' ],
	[ { username => 'a' x 33, email => 'a@b.c', password => $pw }, 'invalid_username', 'long username' ],
	[ { username => 'bad name', email => 'a@b.c', password => $pw }, 'invalid_username', 'space in username' ],
	[ { username => 'ok_name', email => 'nope', password => $pw }, 'invalid_email', 'bad email' ],
	[ { username => 'ok_name', email => 'a@b.c', password => 'short' }, 'invalid_password', 'short password' ],
	[ { username => 'ok_name', email => 'a@b.c', password => 'x' x 1025 }, 'invalid_password', 'long password' ],
	[ { username => 123, email => 'a@b.c', password => $pw }, 'invalid_field', 'number username' ],
);
for my $b (@bad) {
	$r = api('POST', '/api/auth/register', json => $b->[0]);
	is($r->{status}, 400, "$b->[2] is 400");
	is($r->{json}{code}, $b->[1], "  code $b->[1]");
}
for my $raw ('not json', '[1,2]', '"str"', '{"a":1} trailing', '', '{') {
	$r = api('POST', '/api/auth/register', json => $raw);
	is($r->{status}, 400, "body '$raw' is 400");
	is($r->{json}{code}, 'invalid_json', '  code invalid_json');
}
$r = api('POST', '/api/auth/register');
is($r->{status}, 400, 'no body at all: 400');
is($r->{json}{code}, 'missing_field', '  a field is missing');
$r = api('POST', '/api/auth/register', raw => 'username=x', ctype => 'application/x-www-form-urlencoded');
is($r->{status}, 415, 'form-encoded body is 415');
$r = api('POST', '/api/auth/register', json => '{"a":"' . ('x' x 70000) . '"}');
is($r->{status}, 413, 'huge JSON body is 413');
is($r->{json}{code}, 'too_large', '  code too_large');

# --- pending account ----------------------------------------------------
$r = api('POST', '/api/auth/login', json => { username => $name, password => $pw });
is($r->{status}, 403, 'pending user cannot log in');
is($r->{json}{code}, 'account_pending', 'code account_pending');

my $admin = admin_token();
my $users = api('GET', '/api/admin/users?status=pending', token => $admin);
my ($me) = grep { $_->{username} eq $name } @{ $users->{json} };
ok($me, 'admin sees the pending user');
is($me->{status}, 'pending', 'status pending');
ok(!$me->{approved}, 'not approved');
$r = api('PATCH', "/api/admin/users/$me->{id}", token => $admin,
    json => { approved => JSON::PP::true });
is($r->{status}, 200, 'admin approves');
is($r->{json}{status}, 'active', 'now active');

# --- login ------------------------------------------------------------
$r = api('POST', '/api/auth/login', json => { username => $name, password => $pw });
is($r->{status}, 200, 'login works');
my $token = $r->{json}{token};
like($token, qr/^[\w-]+\.[\w-]+\.[\w-]+$/, 'token is a JWT');
is_deeply([ sort keys %{ $r->{json}{user} } ], [qw(id quota_bytes role username)],
    'login user shape');
is($r->{json}{user}{role}, 'user', 'role user');
is($r->{json}{user}{quota_bytes}, 5368709120, 'default quota 5 GiB');

$r = api('POST', '/api/auth/login', json => { username => uc $name, password => $pw });
is($r->{status}, 200, 'login username is case-insensitive');

my $wrong = api('POST', '/api/auth/login', json => { username => $name, password => 'wrong-pass' });
my $nouser = api('POST', '/api/auth/login', json => { username => 'nobody_' . $name, password => 'wrong-pass' });
is($wrong->{status}, 401, 'wrong password 401');
is($nouser->{status}, 401, 'unknown user 401');
is($wrong->{json}{error}, $nouser->{json}{error}, 'one message for both');
is($wrong->{json}{code}, $nouser->{json}{code}, 'one code for both');
$r = api('POST', '/api/auth/login', json => { username => "b\xc3\xb8b", password => 'whatever-pw' });
is($r->{status}, 401, 'a username that cannot exist (non-ASCII) is a plain 401');

# --- me ----------------------------------------------------------------
$r = api('GET', '/api/auth/me', token => $token);
is($r->{status}, 200, 'me with token');
is_deeply([ sort keys %{ $r->{json} } ],
    [qw(email id quota_bytes role used_bytes username)], 'me shape');
is($r->{json}{username}, $name, 'me is me');
is($r->{json}{used_bytes}, 0, 'nothing used');

$r = api('GET', '/api/auth/me');
is($r->{status}, 401, 'me without credentials 401');
is($r->{json}{code}, 'unauthorized', 'code unauthorized');
$r = api('GET', '/api/auth/me', headers => ['Authorization: Basic abc']);
is($r->{status}, 401, 'Basic auth 401');
$r = api('GET', '/api/auth/me', token => $token . 'x');
is($r->{status}, 401, 'tampered token 401');

# alg none and HS512 tokens built by hand are refused.
my ($h, $p, $s) = split /\./, $token;
sub b64u { my $x = MIME::Base64::encode_base64url($_[0]); $x }
use MIME::Base64 ();
my $none = b64u('{"alg":"none","typ":"JWT"}') . ".$p.";
$r = api('GET', '/api/auth/me', token => $none);
is($r->{status}, 401, 'alg none refused');
my $hs512 = b64u('{"alg":"HS512","typ":"JWT"}') . ".$p.$s";
$r = api('GET', '/api/auth/me', token => $hs512);
is($r->{status}, 401, 'alg HS512 refused');

# --- password change ends old tokens ------------------------------------
my $t2 = login_token($name, $pw);
$r = api('POST', '/api/auth/password', token => $token,
    json => { current_password => 'nope-nope', new_password => 'newsecret123' });
is($r->{status}, 403, 'wrong current password 403');
is($r->{json}{code}, 'wrong_password', 'code wrong_password');
$r = api('POST', '/api/auth/password', token => $token,
    json => { current_password => $pw, new_password => 'short' });
is($r->{status}, 400, 'short new password 400');
$r = api('POST', '/api/auth/password', token => $token,
    json => { current_password => $pw, new_password => 'newsecret123' });
is($r->{status}, 200, 'password changed');
is_deeply($r->{json}, { ok => JSON::PP::true }, '{"ok":true}');
is(api('GET', '/api/auth/me', token => $token)->{status}, 401, 'old token dead');
is(api('GET', '/api/auth/me', token => $t2)->{status}, 401, 'other old token dead');
$r = api('POST', '/api/auth/login', json => { username => $name, password => $pw });
is($r->{status}, 401, 'old password refused');
my $t3 = login_token($name, 'newsecret123');
is(api('GET', '/api/auth/me', token => $t3)->{status}, 200, 'new token works at once');

# --- logout ------------------------------------------------------------
my $t4 = login_token($name, 'newsecret123');
$r = api('POST', '/api/auth/logout', token => $t3);
is($r->{status}, 200, 'logout');
is(api('GET', '/api/auth/me', token => $t3)->{status}, 401, 'logged-out token dead');
is(api('GET', '/api/auth/me', token => $t4)->{status}, 200, 'another session lives on');

# --- suspension cuts at once --------------------------------------------
$r = api('PATCH', "/api/admin/users/$me->{id}", token => $admin,
    json => { suspended => JSON::PP::true });
is($r->{status}, 200, 'admin suspends');
is($r->{json}{status}, 'suspended', 'status suspended');
$r = api('GET', '/api/auth/me', token => $t4);
is($r->{status}, 403, 'suspended token 403');
is($r->{json}{code}, 'account_suspended', 'code account_suspended');
$r = api('POST', '/api/auth/login', json => { username => $name, password => 'newsecret123' });
is($r->{status}, 403, 'suspended login 403');
$r = api('PATCH', "/api/admin/users/$me->{id}", token => $admin,
    json => { approved => JSON::PP::true });
is($r->{json}{status}, 'active', 'approval lifts the suspension');
is(api('GET', '/api/auth/me', token => $t4)->{status}, 200, 'token works again');

done_testing();
