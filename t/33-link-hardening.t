# Public links against a hostile visitor (issue 8): max_downloads holds
# through any mix of whole and ranged GETs, wrong passwords are limited
# per link (several addresses) and per IPv6 /64, trips are audited, a
# correct password gives a signed link session, and every /api/share/*
# answer carries the link headers.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use TCloud;

my $u = new_user();
my $t = $u->{token};
my $admin = admin_token();
my $dir = tmpdir();
my $data = join('', map { chr(($_ * 7) % 256) } 1 .. 100000);
my $p = write_file("$dir/f100k.bin", $data);
sub upload { api('POST', '/api/files/upload', token => $t, form => ["file=\@$p;filename=$_[0]"])->{json} }
sub link_of { api('POST', "/api/files/$_[0]{id}/share-link", token => $t, json => $_[1] // {})->{json} }
sub rnd6 { sprintf('2001:db8:%x:%x', int rand 65536, int rand 65536) }

# 1. The review's bypass: five "Range: bytes=0-" on a one-download link.
my $f = upload('one.bin');
my $l = link_of($f, { max_downloads => 1 });
my @codes;
for (1 .. 5) {
	my $r = api('GET', "/api/share/$l->{token}/download", headers => ['Range: bytes=0-'], out => "$dir/r$_");
	push @codes, $r->{status};
}
is("@codes", '206 404 404 404 404', 'bytes=0- is a whole copy: once, then the link is used up');
is(read_file("$dir/r1"), $data, '  the one copy is whole');
is(api('GET', "/api/share/$l->{token}/download", out => "$dir/x")->{status}, 404, 'no whole GET after it');
is(api('GET', "/api/share/$l->{token}/download", headers => ['Range: bytes=-100000'])->{status}, 404,
    'nor a suffix range');

# Halves add up to one copy; a third piece does not fit.
my $f2 = upload('halves.bin');
my $l2 = link_of($f2, { max_downloads => 1 });
is(api('GET', "/api/share/$l2->{token}/download", headers => ['Range: bytes=0-49999'])->{status}, 206, 'first half');
is(api('GET', "/api/share/$l2->{token}/download", headers => ['Range: bytes=50000-99999'])->{status}, 206, 'second half');
is(api('GET', "/api/share/$l2->{token}/download", headers => ['Range: bytes=0-0'])->{status}, 404,
    'then not one byte more');
is(api('HEAD', "/api/share/$l2->{token}/download")->{status}, 404, 'the link is used up');
# A 416 costs nothing.
my $f3 = upload('416.bin');
my $l3 = link_of($f3, { max_downloads => 1 });
is(api('GET', "/api/share/$l3->{token}/download", headers => ['Range: bytes=200000-'])->{status}, 416, 'a range past the end');
is(api('GET', "/api/share/$l3->{token}/download", out => "$dir/x")->{status}, 200, '  costs nothing');
is(read_file("$dir/x"), $data, '  the whole copy follows');

# Every link download is audited, ranged ones with their range.
my $au = api('GET', '/api/admin/audit?action=link_download&limit=50', token => $admin)->{json};
my @mine = grep { ($_->{target_id} // 0) == $f2->{id} } @$au;
is(scalar @mine, 2, 'both halves audited');
is_deeply([ sort map { $_->{details}{range} // '' } @mine ], [ '0-49999', '50000-99999' ], '  with their ranges');

# 2. Wrong passwords: per link, across addresses.
my $fp = upload('pw.bin');
my $lp = link_of($fp, { password => 'correct horse 42' });
my @ips = map { "203.0.113." . (10 + $_ + 20 * ($$ % 10)) } 0 .. 10;
my $last = pop @ips;
my @w;
for my $ip (@ips) {
	push @w, api('GET', "/api/share/$lp->{token}", ip => $ip, headers => ['X-Share-Password: guess'])->{status};
}
is("@w", join(' ', ('403') x 10), 'ten wrong guesses from ten addresses');
my $r = api('GET', "/api/share/$lp->{token}", ip => $last, headers => ['X-Share-Password: correct horse 42']);
is($r->{status}, 429, 'the link is locked, whatever the address, even for the right password');
ok($r->{headers}{'retry-after'} > 0, '  Retry-After');
$au = api('GET', '/api/admin/audit?action=rate_limited&limit=50', token => $admin)->{json};
ok((grep { ($_->{target_type} // '') eq 'link' && ($_->{ip} // '') eq $last } @$au), 'the link trip is audited');

# IPv6: one /64 is one client.
my $net = rnd6();
my $fa = upload('v6a.bin');
my $la = link_of($fa, { password => 'pw-one-1' });
my $fb = upload('v6b.bin');
my $lb = link_of($fb, { password => 'pw-two-2' });
api('GET', "/api/share/$la->{token}", ip => "$net:0:0:0:$_", headers => ['X-Share-Password: nope']) for 1 .. 10;
$r = api('GET', "/api/share/$lb->{token}", ip => "$net:ffff:1:2:3", headers => ['X-Share-Password: pw-two-2']);
is($r->{status}, 429, 'another address of the same /64 is throttled too');
$r = api('GET', "/api/share/$lb->{token}", ip => rnd6() . '::1', headers => ['X-Share-Password: pw-two-2']);
is($r->{status}, 200, 'another /64 is not');

# The link session: one Argon2 check, then a signed session.
my $sess = $r->{headers}{'x-share-session'};
like($sess // '', qr/^\d+\.[A-Za-z0-9_-]{43}$/, 'a correct password gives X-Share-Session');
like($r->{headers}{'set-cookie'} // '', qr{^tcloud_link=\Q$sess\E; Path=/api/share/\Q$lb->{token}\E; Max-Age=\d+; HttpOnly; SameSite=Strict},
    '  and a cookie scoped to the link');
$r = api('GET', "/api/share/$lb->{token}/download", headers => ["X-Share-Session: $sess"], out => "$dir/s");
is($r->{status}, 200, 'the session alone downloads');
is(read_file("$dir/s"), $data, '  byte-exact');
is(api('GET', "/api/share/$lb->{token}", headers => ["Cookie: a=b; tcloud_link=$sess"])->{status}, 200,
    'so does the cookie');
(my $bad = $sess) =~ s/.$/substr($sess, -1) eq 'A' ? 'B' : 'A'/e;
is(api('GET', "/api/share/$lb->{token}", headers => ["X-Share-Session: $bad"])->{status}, 401, 'a forged session is no session');
my ($exp) = $sess =~ /^(\d+)/;
(my $later = $sess) =~ s/^\d+/$exp + 100000/e;
is(api('GET', "/api/share/$lb->{token}", headers => ["X-Share-Session: $later"])->{status}, 401, 'nor a stretched one');
my $lc = link_of(upload('v6c.bin'), { password => 'pw-two-2' });
is(api('GET', "/api/share/$lc->{token}", headers => ["X-Share-Session: $sess"])->{status}, 401,
    'nor one of another link with the same password');
link_of($fb, { password => 'a-new-password' });
is(api('GET', "/api/share/$lb->{token}", headers => ["X-Share-Session: $sess"])->{status}, 401,
    'a new link password ends the sessions');

# 3. The link headers on every answer under /api/share/, errors included.
for my $c ([ 'GET', '/api/share/nosuchtoken', 404 ], [ 'PUT', '/api/share/nosuchtoken', 405 ],
    [ 'GET', '/api/share/nosuchtoken/nothing/here', 404 ], [ 'GET', "/api/share/$l->{token}", 404 ],
    [ 'GET', "/api/share/$lp->{token}", 429 ], [ 'GET', "/api/share/$lc->{token}", 401 ]) {
	my ($m, $path, $want) = @$c;
	$r = api($m, $path, ip => '192.0.2.' . (1 + $$ % 200));
	is($r->{status}, $want, "$m $path -> $want");
	is($r->{headers}{'content-security-policy'}, "default-src 'none'", '  CSP');
	is($r->{headers}{'x-content-type-options'}, 'nosniff', '  nosniff');
}
done_testing();
