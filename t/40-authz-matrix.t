# The authorization matrix: every route of the API x every kind of caller
# -> the expected status, in one table, so no route can be added without
# saying who may call it.  t/40-authz-matrix.t also checks that the table
# names every route the worker serves (via the 405/404 answers).
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $dir = tmpdir();
my $admin = admin_token();
my $adminkey = api('POST', '/api/apikeys', token => $admin, json => { name => 'matrix-' . $$ })->{json}{key};
my $owner = new_user();
my $other = new_user();
my $recip = new_user();
my $pending = new_user(pending => 1);
my $susp = new_user();
my $susp_tok = $susp->{token};
api('PATCH', "/api/admin/users/$susp->{id}", token => $admin, json => { suspended => JSON::PP::true });

# The owner's objects.
my $p = write_file("$dir/m.txt", 'matrix');
my $file = api('POST', '/api/files/upload', token => $owner->{token}, form => ["file=\@$p"])->{json}{id};
my $folder = api('POST', '/api/folders', token => $owner->{token}, json => { name => 'mf' })->{json}{id};
my $share = api('POST', '/api/shares', token => $owner->{token},
    json => { file_id => $file, shared_with => $recip->{username} })->{json}{id};
my $key = api('POST', '/api/apikeys', token => $owner->{token}, json => { name => 'k' })->{json}{id};

# Callers: how each authenticates.
my %who = (
	anon      => {},
	pending   => { token => 'x.y.z' },    # cannot log in: a forged token is all it has
	suspended => { token => $susp_tok },
	other     => { token => $other->{token} },
	owner     => { token => $owner->{token} },
	recipient => { token => $recip->{token} },
	admin     => { token => $admin },
	adminkey  => { key => $adminkey },
);
my @callers = qw(anon pending suspended other owner recipient admin adminkey);

# Each row: method, path, body (for JSON routes), then the status per
# caller in @callers order.  "ok" is the route's success status; routes
# that change state are listed with a body that leaves state usable, or
# last.  404 for other users: never reveal others' ids.
my $J = { name => 'renamed-by-matrix' };
my @rows = (
	[ 'GET',    '/api/health',                        undef, qw(200 200 200 200 200 200 200 200) ],
	[ 'GET',    '/api/auth/me',                       undef, qw(401 401 403 200 200 200 200 200) ],
	[ 'GET',    '/api/apikeys',                       undef, qw(401 401 403 200 200 200 200 200) ],
	[ 'DELETE', "/api/apikeys/$key",                  undef, qw(401 401 403 404 SKIP 404 404 403) ],
	[ 'POST',   '/api/apikeys',                       { name => "mrow-$$" }, qw(401 401 403 201 201 201 201 403) ],
	[ 'GET',    '/api/files',                         undef, qw(401 401 403 200 200 200 200 200) ],
	[ 'GET',    "/api/files?folder_id=$folder",       undef, qw(401 401 403 404 200 404 404 404) ],
	[ 'GET',    "/api/files/$file/download",          undef, qw(401 401 403 404 200 200 404 404) ],
	[ 'PATCH',  "/api/files/$file",                   $J,    qw(401 401 403 404 200 404 404 404) ],
	[ 'GET',    '/api/folders',                       undef, qw(401 401 403 200 200 200 200 200) ],
	[ 'GET',    "/api/folders?parent_id=$folder",     undef, qw(401 401 403 404 200 404 404 404) ],
	[ 'GET',    "/api/folders/$folder/path",          undef, qw(401 401 403 404 200 404 404 404) ],
	[ 'PATCH',  "/api/folders/$folder",               { name => 'mf2' }, qw(401 401 403 404 200 404 404 404) ],
	[ 'POST',   "/api/files/$file/share-link",        {},    qw(401 401 403 404 201 404 404 404) ],
	[ 'GET',    "/api/files/$file/share-link",        undef, qw(401 401 403 404 200 404 404 404) ],
	[ 'GET',    "/api/folders/$folder/share-link",    undef, qw(401 401 403 404 404 404 404 404) ],
	[ 'POST',   "/api/folders/$folder/share-link",    {},    qw(401 401 403 404 201 404 404 404) ],
	[ 'GET',    '/api/shares/with-me',                undef, qw(401 401 403 200 200 200 200 200) ],
	[ 'GET',    '/api/shares/by-me',                  undef, qw(401 401 403 200 200 200 200 200) ],
	[ 'POST',   '/api/shares',                        { file_id => $file, shared_with => $other->{username} },
	                                                         qw(401 401 403 404 SKIP 404 404 404) ],
	[ 'GET',    '/api/admin/users',                   undef, qw(401 401 403 403 403 403 200 200) ],
	[ 'GET',    '/api/admin/stats',                   undef, qw(401 401 403 403 403 403 200 200) ],
	[ 'GET',    '/api/admin/audit',                   undef, qw(401 401 403 403 403 403 200 200) ],
	[ 'PATCH',  "/api/admin/users/$other->{id}",      { quota_gb => 5 }, qw(401 401 403 403 403 403 200 200) ],
	[ 'DELETE', "/api/shares/$share",                 undef, qw(401 401 403 404 SKIP SKIP 404 404) ],
	[ 'DELETE', "/api/files/$file/share-link",        undef, qw(401 401 403 404 SKIP 404 404 404) ],
	[ 'DELETE', "/api/folders/$folder/share-link",    undef, qw(401 401 403 404 SKIP 404 404 404) ],
	[ 'DELETE', "/api/admin/users/999999999",         undef, qw(401 401 403 403 403 403 404 404) ],
	[ 'POST',   '/api/admin/users/purge-pending',     { older_than_days => 3650 }, qw(401 401 403 403 403 403 200 200) ],
	[ 'DELETE', "/api/files/$file",                   undef, qw(401 401 403 404 SKIP 404 404 404) ],
	[ 'DELETE', "/api/folders/$folder",               undef, qw(401 401 403 404 SKIP 404 404 404) ],
	[ 'POST',   '/api/auth/logout',                   undef, qw(401 401 403 SKIP SKIP SKIP SKIP 400) ],
);
for my $row (@rows) {
	my ($m, $path, $body, @want) = @$row;
	for my $i (0 .. $#callers) {
		next if $want[$i] eq 'SKIP';
		my $c = $who{ $callers[$i] };
		my $r = api($m, $path, %$c, defined $body ? (json => $body) : ());
		is($r->{status}, $want[$i], "$m $path as $callers[$i]")
		    or diag $r->{body};
		ok(!$r->{json} || ref $r->{json} ne 'HASH' || !$r->{json}{error} || $r->{json}{code},
		    '  error has a code') if $r->{status} >= 400;
	}
}

# The owner's own destructive calls, last.
is(api('DELETE', "/api/shares/$share", token => $recip->{token})->{status}, 200, 'recipient revokes share');
is(api('DELETE', "/api/files/$file/share-link", token => $owner->{token})->{status}, 200, 'owner revokes file link');
is(api('DELETE', "/api/folders/$folder/share-link", token => $owner->{token})->{status}, 200, 'owner revokes folder link');
is(api('DELETE', "/api/files/$file", token => $owner->{token})->{status}, 200, 'owner deletes file');
is(api('DELETE', "/api/folders/$folder", token => $owner->{token})->{status}, 200, 'owner deletes folder');
is(api('DELETE', "/api/apikeys/$key", token => $owner->{token})->{status}, 200, 'owner revokes key');

# Every route the API serves is in the table: a wrong method on each
# pattern gives 405 with Allow, so a route missing from @rows would show
# as a method in some Allow header we do not know.
my %known;
$known{"$_->[0] " . ($_->[1] =~ s/\?.*//r =~ s/\/\d+/\/{id}/gr)}++ for @rows;
$known{$_}++ for ('POST /api/auth/register', 'POST /api/auth/login', 'POST /api/auth/password',
    'POST /api/files/upload', 'POST /api/folders', 'GET /api/share/{token}',
    'GET /api/share/{token}/download', 'GET /api/share/{token}/files/{id}/download');
my @patterns = ('/api/health', '/api/auth/register', '/api/auth/login', '/api/auth/me', '/api/auth/logout',
    '/api/auth/password', '/api/apikeys', '/api/apikeys/1', '/api/files', '/api/files/upload', '/api/files/1',
    '/api/files/1/download', '/api/files/1/share-link', '/api/folders', '/api/folders/1', '/api/folders/1/path',
    '/api/folders/1/share-link', '/api/shares', '/api/shares/1', '/api/shares/with-me', '/api/shares/by-me',
    '/api/share/tok', '/api/share/tok/download', '/api/share/tok/files/1/download', '/api/admin/users',
    '/api/admin/users/1', '/api/admin/users/purge-pending', '/api/admin/stats', '/api/admin/audit');
for my $path (@patterns) {
	my $r = api('PUT', $path);
	is($r->{status}, 405, "PUT $path is 405");
	my $norm = $path =~ s/\/\d+/\/{id}/gr =~ s/\/tok(?=\/|$)/\/{token}/r;
	for my $m (split /,\s*/, $r->{headers}{allow} // '') {
		next if $m eq 'HEAD';
		ok($known{"$m $norm"}, "  $m $norm is in the matrix");
	}
}
done_testing();
