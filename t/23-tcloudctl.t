# tcloudctl over the store (SPEC §6): fsck finds a flipped byte and a
# missing blob; gc removes orphans and nothing else; rotate-key re-wraps
# every file so the old key is no longer needed; blobs hold no plaintext.
use strict;
use warnings;
use Test::More;
use JSON::PP;
use File::Find;
use File::Copy;
use TCloud;

my $S = $ENV{TCLOUD_STATE};
my $u = new_user();
my $t = $u->{token};
my $dir = tmpdir();
my $marker = 'PLAINTEXT-MARKER-' . ('0123456789' x 10);
my %files;
for my $i (1 .. 3) {
	my $p = write_file("$dir/f$i.txt", ($marker x (1000 * $i)) . $i);
	my $r = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p"]);
	$files{ $r->{json}{id} } = read_file($p);
}

sub blobs {
	my @b;
	find(sub { push @b, $File::Find::name if -f && /^[0-9a-f]{32}$/ }, "$S/data/blobs");
	return @b;
}
my @blobs = blobs();
ok(@blobs >= 3, 'blobs on disk');
my $leak = grep { index(read_file($_), 'PLAINTEXT-MARKER') >= 0 } @blobs;
is($leak, 0, 'no blob contains the plaintext');

my ($rc, $out) = ctl('fsck');
is($rc, 0, 'fsck passes on a clean store') or diag $out;
like($out, qr/0 faults/, '  says 0 faults');

# Flip one byte in the middle of a blob: fsck fails and names the file.
my ($fid) = sort { $a <=> $b } keys %files;
my ($victim) = grep { -s $_ > 20000 } @blobs;
copy($victim, "$dir/saved") or die;
open my $fh, '+<:raw', $victim or die;
seek $fh, 10000, 0;
read $fh, my $c, 1;
seek $fh, 10000, 0;
print $fh chr(ord($c) ^ 1);
close $fh;
($rc, $out) = ctl('fsck');
is($rc, 1, 'fsck exits 1 on a flipped byte');
like($out, qr/file \d+: .*(tag|auth)/i, '  and names the file');
copy("$dir/saved", $victim) or die;
($rc) = ctl('fsck');
is($rc, 0, 'restored: fsck passes');

# A missing blob.
rename $victim, "$dir/moved" or die;
($rc, $out) = ctl('fsck');
is($rc, 1, 'fsck exits 1 on a missing blob');
like($out, qr/missing/, '  says missing');
rename "$dir/moved", $victim or die;

# gc: an orphan blob and an old temp file go; referenced blobs stay.
my $orphan_dir = "$S/data/blobs/ff/ee";
system("mkdir -p $orphan_dir");
my $orphan = "$orphan_dir/ffee" . ('0' x 28);
write_file($orphan, 'junk');
# Owned like the rest of data_dir (the web user's under mod_fcgid).
system("chown -R --reference=$S/data $S/data/blobs/ff");
write_file("$S/data/tmp/" . ('a' x 32), 'partial');
my $young = "$S/data/tmp/" . ('b' x 32);
write_file($young, 'in flight');
utime(time - 7200, time - 7200, $orphan, "$S/data/tmp/" . ('a' x 32));
($rc, $out) = ctl('gc');
is($rc, 0, 'gc runs');
ok(!-e $orphan, 'old orphan blob removed');
ok(!-e "$S/data/tmp/" . ('a' x 32), 'old temp file removed');
ok(-e $young, 'a young temp file (an upload in flight) is kept');
unlink $young;
is(scalar(blobs()), scalar(@blobs), 'referenced blobs all kept');
($rc) = ctl('fsck');
is($rc, 0, 'fsck still clean after gc');

# A gc age that is not a whole number of seconds is a usage error: read
# as 1 ("1h") or as a time in the future ("-1") it removed uploads in
# flight; a misspelt option ran gc with the default age.
my $inflight = "$S/data/tmp/" . ('c' x 32);
write_file($inflight, 'in flight');
system("chown --reference=$S/data $inflight");
utime(time - 60, time - 60, $inflight);
for my $bad ('--older-than 1h', '--older-than -1', '--older-than', '--older-then 60', '60') {
	($rc, $out) = ctl("gc $bad");
	is($rc, 2, "gc $bad: exit 2");
	like($out, qr/^usage: tcloudctl gc \[--older-than SECONDS\]$/m, '  usage on stderr');
}
ok(-e $inflight, '  the upload in flight is still there');
unlink $inflight;
# gc over a data_dir that is not there (a typo in tcloud.conf) fails,
# naming it: the walk took the missing directory for an empty store, and
# gc said "0 removed", exit 0.
{
	my ($site_user) = ($ENV{TCLOUD_CTL} // '') =~ /^runuser -u (\S+)/;
	my $c = read_file("$S/tcloud.conf");
	$c =~ s/^data_dir = .*$/data_dir = $dir\/no-such-dir/m;
	write_file("$dir/gc.conf", $c);
	chown((getpwnam $site_user)[2, 3], $dir, "$dir/gc.conf") if $site_user;
	(my $gctl = $ENV{TCLOUD_CTL}) =~ s/-c \S+/-c $dir\/gc.conf/;
	my $o = `$gctl gc 2>&1`;
	is($? >> 8, 1, 'gc with a data_dir that does not exist: exit 1');
	like($o, qr{^tcloudctl: gc: \Q$dir\E/no-such-dir/blobs: No such file or directory$}m, '  naming it');
}
# A word after a command that takes none is refused, not ignored: the
# admin who types --dry-run must not get a real rotation.
($rc, $out) = ctl('rotate-key --dry-run');
is($rc, 2, 'rotate-key --dry-run: exit 2');
like($out, qr/^tcloudctl: rotate-key takes no arguments \('--dry-run'\)$/m, '  saying so');
unlike($out, qr/re-wrapped/, '  and rotating nothing');

# rotate-key: new KEK 2, old one listed; after rotation the old one can go.
my $conf = read_file("$S/tcloud.conf");
system("head -c 32 /dev/urandom > $S/secrets/master-2.key && chmod 600 $S/secrets/master-2.key && chown --reference=$S/secrets $S/secrets/master-2.key");
my $link = api('POST', "/api/files/$fid/share-link", token => $t, json => {})->{json};
my $rot = $conf;
$rot =~ s/^master_key_file = .*$/master_key_file = $S\/secrets\/master-2.key/m;
$rot =~ s/^master_key_id = .*$/master_key_id = 2/m;
$rot .= "old_key_files = 1:$S/secrets/master-1.key\n";
write_file("$S/tcloud.conf", $rot);
($rc, $out) = ctl('rotate-key');
is($rc, 0, 'rotate-key runs') or diag $out;
like($out, qr/re-wrapped/, '  reports');
# Drop the old key entirely and restart the workers.
my $final = $rot;
$final =~ s/^old_key_files = .*\n//m;
write_file("$S/tcloud.conf", $final);
rename "$S/secrets/master-1.key", "$dir/master-1.key.gone" or die;
system("$ENV{TCLOUD_ROOT}/tcloud-dev reload >/dev/null 2>&1");
($rc, $out) = ctl('fsck');
is($rc, 0, 'fsck passes with only the new key') or diag $out;
for my $id (sort keys %files) {
	my $r = api('GET', "/api/files/$id/download", token => $t, out => "$dir/rot");
	ok($r->{status} == 200 && read_file("$dir/rot") eq $files{$id}, "file $id byte-exact after rotation");
}
my $again = api('POST', "/api/files/$fid/share-link", token => $t, json => {})->{json};
is($again->{token}, $link->{token}, 'link token still recoverable after rotation');
my $p = write_file("$dir/new.txt", 'after rotation');
my $nr = api('POST', '/api/files/upload', token => $t, form => ["file=\@$p"]);
is(api('GET', "/api/files/$nr->{json}{id}/download", token => $t)->{body}, 'after rotation', 'new uploads work');

# quota-recalc repairs drift.
($rc, $out) = ctl('quota-recalc');
is($rc, 0, 'quota-recalc runs');
($rc, $out) = ctl('stats');
like($out, qr/total_files \d+/, 'stats prints totals');
like($out, qr/^public_links \d+$/m, '  every counter, named as GET /api/admin/stats names it');

# purge-pending, the admin route's rule from the command line.
my $pend = 'pend' . $$;
api('POST', '/api/auth/register', json => { username => $pend, email => "$pend\@example.com", password => 'pending-password-1' });
($rc, $out) = ctl('purge-pending 1');
like($out, qr/^purged \d+ pending accounts?$/m, 'purge-pending 1 runs');
is(api('POST', '/api/auth/login', json => { username => $pend, password => 'pending-password-1' })->{json}{code},
    'account_pending', '  and keeps an account registered today');
sleep 2;	# created_at has one-second resolution: older than now
($rc, $out) = ctl('purge-pending 0');
is($rc, 0, 'purge-pending 0 runs');
is(api('POST', '/api/auth/login', json => { username => $pend, password => 'pending-password-1' })->{status},
    401, '  and the account registered today is gone');
($rc, $out) = ctl('purge-pending x');
is($rc, 2, 'purge-pending with a bad number: usage, exit 2');

# user add --email takes an address registration would take; anything
# was stored (and 400 bytes came back as the database's "Data too long").
for my $bad ('not an email', 'a' x 400 . '@example.com') {
	my $name = 'em' . $$ . length $bad;
	($rc, $out) = ctl("user add $name --email '$bad'", "password-123\n");
	is($rc, 1, 'user add --email ' . substr($bad, 0, 12) . '...: exit 1');
	like($out, qr/^tcloudctl: invalid email address '/m, '  saying so');
	unlike($out, qr/Data too long|statement/, '  nothing of the database');
	is(api('POST', '/api/auth/login', json => { username => $name, password => 'password-123' })->{status},
	    401, '  and no account');
}
($rc, $out) = ctl("user add em$$ --email em$$\@example.com", "password-123\n");
is($rc, 0, 'user add with a good --email works') or diag $out;

# init keeps a key file that is there already; one the workers would
# refuse (too short, or readable by others) fails init, naming it, where
# init used to succeed and leave workers that do not start.
{
	my ($site_user) = ($ENV{TCLOUD_CTL} // '') =~ /^runuser -u (\S+)/;
	my $f = "$dir/init";
	mkdir $f, 0700;
	my $c = read_file("$S/tcloud.conf");
	$c =~ s/^data_dir = .*$/data_dir = $f\/data/m;
	$c =~ s/^master_key_file = .*$/master_key_file = $f\/master.key/m;
	$c =~ s/^jwt_secret_file = .*$/jwt_secret_file = $f\/jwt.secret/m;
	write_file("$f/tcloud.conf", $c);
	write_file("$f/jwt.secret", 'short');
	chmod 0600, "$f/jwt.secret";
	chown((getpwnam $site_user)[2, 3], $dir, $f, glob("$f/*")) if $site_user;
	(my $fctl = $ENV{TCLOUD_CTL}) =~ s/-c \S+/-c $f\/tcloud.conf/;
	my $o = `$fctl init 2>&1`;
	is($? >> 8, 1, 'init with a 5-byte jwt.secret there: exit 1') or diag $o;
	like($o, qr/\Q$f\E\/jwt\.secret: must be a regular file of mode 0600 holding 32 to 64 bytes/,
	    '  naming the file and what it must be');
	is(read_file("$f/jwt.secret"), 'short', '  and leaving it alone');
	write_file("$f/jwt.secret", 'j' x 32);
	chmod 0644, "$f/master.key";
	$o = `$fctl init 2>&1`;
	is($? >> 8, 1, 'init with a master key of mode 0644: exit 1') or diag $o;
	like($o, qr/master key \Q$f\E\/master\.key: .*mode 0600/, '  naming it');
}
done_testing();
