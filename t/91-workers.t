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
# mod_fcgid keeps no fixed pool: it starts a process when a request
# finds none free, and only after waiting 1 s (fixed in its
# fcgid_bridge.c) when it tried a dead one or others are busy; a
# waiting request that loses the new process to another waits 1 s
# more.  There every other kill takes all its processes at once, so the
# next request can only be served by a process started anew; that
# request, as one after each single kill, must be answered: in 2 s at
# the median, and within 6 s (three such waits) every time (README,
# "Known gaps under mod_fcgid").
my $FCGID = $FRONT eq 'apache-fcgid';
my $LIMIT = $FCGID ? 6 : 2;
my ($replaced, $worst, $killed, @times) = (0, 0, 0);
for my $k (1 .. $KILLS) {
	sleep 0.2 + rand 0.3;
	my @before;
	for (1 .. 100) {
		last if @before = worker_pids();
		sleep 0.05;
	}
	@before or next;
	my @victims = $FCGID && $k % 2 == 0 ? @before : ($before[rand @before]);
	$killed += kill 'KILL', @victims;
	my $t0 = time;
	my $ok = 0;
	my %old = map { $_ => 1 } @before;
	if ($FCGID) {
		my $r = api('GET', '/api/health');
		$ok = $r->{status} == 200 && time - $t0 < $LIMIT &&
		    (@victims < @before or grep { !$old{$_} } worker_pids());
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
	my $dt = time - $t0;
	$worst = $dt if $dt > $worst;
	push @times, $dt;
	$replaced++ if $ok;
	note(sprintf 'kill %d: %d of %d processes, %s in %.0f ms', $k,
	    scalar @victims, scalar @before, $ok ? 'replaced' : 'NOT replaced', $dt * 1000);
}
write_file($stop, '');
waitpid($_, 0) for @kids;
is($replaced, $KILLS, $FCGID ?
    "$KILLS kills (every other one of all processes): each time a request was answered within $LIMIT s, by a new process when none was left" :
    "$KILLS workers killed, each replaced within 2 s");
@times = sort { $a <=> $b } @times;
my $median = $times[$#times / 2] // 0;
diag(sprintf 'replacement: median %.0f ms, slowest %.0f ms (%d kills)',
    1000 * $median, $worst * 1000, scalar @times);
cmp_ok($median, '<', 2, 'mod_fcgid: a new process serves in under 2 s at the median') if $FCGID;

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
