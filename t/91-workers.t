# Supervised workers (SPEC §8, issue 9): under a load of uploads and
# reads, workers are killed with SIGKILL one after another; each is
# replaced within 2 s, only requests in flight in a killed worker fail,
# every upload that was answered 201 is there byte-exact, and fsck is
# clean.  Then a graceful reload (./tcloud-dev reload) during a slow
# download: the download completes byte-exact and no request fails.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep time);
use Digest::SHA qw(sha256_hex);
use TCloud;

my $KILLS = $ENV{TCLOUD_KILLS} // 20;
my $FRONT = $ENV{TCLOUD_FRONT} // 'nginx';
my $dir = tmpdir();
my $u = new_user();
my $t = $u->{token};

my @w = worker_pids();
ok(@w >= 1, scalar(@w) . ' workers run');

# Load: 3 clients upload small distinct files and read the listing until
# told to stop; each logs "status name sha256" per upload.
my $stop = "$dir/stop";
my @kids;
for my $c (1 .. 3) {
	my $pid = fork // die "fork: $!";
	if ($pid == 0) {
		open my $log, '>', "$dir/load.$c" or die;
		$log->autoflush(1);
		my $n = 0;
		until (-e $stop) {
			$n++;
			my $name = "c$c-$n.bin";
			my $data = join('', map { chr(rand 256) } 1 .. 1000 + int(rand 50_000));
			my $f = write_file("$dir/up.$c", $data);
			my $r = api('POST', '/api/files/upload', token => $t,
			    form => ["file=\@$f;filename=$name"]);
			print $log "$r->{status} $name " . sha256_hex($data) . "\n";
			$r = api('GET', '/api/files?limit=5', token => $t);
			print $log "$r->{status} list -\n";
		}
		exit 0;
	}
	push @kids, $pid;
}

# Kill one random worker at a time; a replacement must serve within 2 s.
# Under nginx and Apache proxy, multiwatch forks a new worker: wait for
# it.  mod_fcgid keeps no fixed pool (README, "Known gaps under
# mod_fcgid"): there the request made right after the kill must be
# answered within 2 s, by a remaining process or a new one.
my $FCGID = $FRONT eq 'apache-fcgid';
my ($killed, @times, @all_times) = (0);
sub kill_round {
	my ($all) = @_;
	sleep 0.2 + rand 0.3;
	my @before;
	for (1 .. 100) {
		last if @before = worker_pids();
		sleep 0.05;
	}
	@before or return (0, 0, 0, 0);
	my @victims = $all ? @before : ($before[rand @before]);
	$killed += kill 'KILL', @victims;
	my $t0 = time;
	my $ok = 0;
	my %old = map { $_ => 1 } @before;
	if ($FCGID) {
		my $r = api('GET', '/api/health');
		$ok = $r->{status} == 200 &&
		    (!$all or grep { !$old{$_} } worker_pids());
	}
	while (!$FCGID && time - $t0 < 2) {
		# A new worker, and as many as before.
		my @now = grep { $_ != $victims[0] } worker_pids();
		if (grep { !$old{$_} } @now and @now >= @before) {
			$ok = 1;
			last;
		}
		sleep 0.05;
	}
	return ($ok, time - $t0, scalar @victims, scalar @before);
}
sub figures {
	my @t = sort { $a <=> $b } @_;
	return (($t[$#t / 2] // 0), ($t[-1] // 0));
}
# mod_fcgid cannot promise 2 s for each kill: it starts a process only
# for a request that found none free, and such a request first sleeps
# 1 s (fcgid_bridge.c), then polls once a second, racing the load's
# fresh requests for whatever frees up; under this load it keeps only
# 1-3 processes, so a random kill often takes the only one.  There:
# in 2 s at the median, and each within 6 s (README).
my $LIMIT = $FCGID ? 6 : 2;
my ($replaced, $in2) = (0, 0);
for my $k (1 .. $KILLS) {
	my ($ok, $dt, $nv, $nb) = kill_round(0);
	$ok &&= $dt < $LIMIT;
	push @times, $dt;
	$replaced++ if $ok;
	$in2++ if $ok && $dt < 2;
	note(sprintf 'kill %d: 1 of %d processes, %s in %.0f ms', $k, $nb,
	    $ok ? 'replaced' : 'NOT replaced', $dt * 1000);
}
is($replaced, $KILLS, $FCGID ?
    "$KILLS random processes killed: each time a request was answered within $LIMIT s" :
    "$KILLS workers killed, each replaced within 2 s");
diag(sprintf 'single kills: median %.0f ms, slowest %.0f ms, %d of %d within 2 s',
    1000 * (figures(@times))[0], 1000 * (figures(@times))[1], $in2,
    scalar @times);
cmp_ok((figures(@times))[0], '<', 2, 'mod_fcgid: answered in under 2 s at the median')
    if $FCGID;

# mod_fcgid, harsher: every process killed at once.  Only a process
# started anew can serve, and mod_fcgid starts one only after its fixed
# 1 s wait (fcgid_bridge.c) once a request found none free, plus 1 s
# more each time another request takes the new process first: within
# 6 s (three such waits) every time.
if ($FCGID) {
	my $ALL = $ENV{TCLOUD_KILL_ALL} // 5;
	my $fine = 0;
	for my $k (1 .. $ALL) {
		my ($ok, $dt, $nv) = kill_round(1);
		$ok &&= $dt < 6;
		push @all_times, $dt;
		$fine++ if $ok;
		note(sprintf 'kill-all %d: %d processes, %s in %.0f ms', $k, $nv,
		    $ok ? 'a new one served' : 'NOT served', $dt * 1000);
	}
	is($fine, $ALL, "$ALL times all processes killed: each time a new one served within 6 s");
	diag(sprintf 'kill-all: median %.0f ms, slowest %.0f ms (%d rounds)',
	    1000 * (figures(@all_times))[0], 1000 * (figures(@all_times))[1],
	    scalar @all_times);
}
write_file($stop, '');
waitpid($_, 0) for @kids;

my (@up, $fail, $total);
for my $c (1 .. 3) {
	for (split /\n/, read_file("$dir/load.$c")) {
		my ($st, $name, $sha) = split / /;
		$total++;
		$fail++ unless $st =~ /^2/;
		push @up, [$name, $sha] if $st == 201;
	}
}
$fail //= 0;
# The load ran through the kills (how much depends on the machine).
ok($total >= 6, "$total requests under load");
# Each killed worker can fail at most the one request it was serving.
cmp_ok($fail, '<=', $killed, "$fail failed requests for $killed workers killed");

my %listed = map { $_->{name} => $_->{id} } @{ api('GET', '/api/files?limit=1000', token => $t)->{json} };
my $exact = 0;
for (@up) {
	my ($name, $sha) = @$_;
	my $id = $listed{$name} or next;
	my $r = api('GET', "/api/files/$id/download", token => $t, out => "$dir/dl");
	$exact++ if $r->{status} == 200 && sha256_hex(read_file("$dir/dl")) eq $sha;
}
is($exact, scalar(@up), scalar(@up) . ' uploads answered 201 are listed and byte-exact');
my ($rc, $out) = ctl('fsck');
is($rc, 0, 'fsck is clean') or diag($out);

# Under mod_fcgid the reload is Apache's graceful restart: its process
# manager sends the processes SIGTERM (a worker finishes its request
# first) and SIGKILL after 8 s, so a request must end within that.
{
	my $big = join('', map { chr(rand 256) } 1 .. 1 << 20) x 6;
	my $f = write_file("$dir/big", $big);
	my $r = api('POST', '/api/files/upload', token => $t, form => ["file=\@$f;filename=big.bin"]);
	is($r->{status}, 201, 'a 6 MiB file');
	my $id = $r->{json}{id};
	# 6 MiB at 1 MiB/s: the reload lands while the download runs.
	my $pid = fork // die;
	if ($pid == 0) {
		exec('curl', '-s', '--limit-rate', '1M', '-o', "$dir/slow",
		    '-H', "Authorization: Bearer $t", url("/api/files/$id/download"),
		    ($ENV{TCLOUD_CA} ? ('--cacert', $ENV{TCLOUD_CA}) : ())) or exit 1;
	}
	sleep 1;
	my @old = worker_pids();
	is(system("$ENV{TCLOUD_ROOT}/tcloud-dev reload >/dev/null 2>&1"), 0, 'reload');
	my $bad = 0;
	for (1 .. 30) {
		$bad++ unless api('GET', '/api/files?limit=1', token => $t)->{status} == 200;
		sleep 0.1;
	}
	waitpid($pid, 0);
	ok($bad == 0 && read_file("$dir/slow") eq $big,
	    "reload: the slow download is complete and $bad requests failed");
	my %o = map { $_ => 1 } @old;
	ok(!grep({ $o{$_} } worker_pids()), 'reload: every worker is new');
}

done_testing();
