# A second, private set of workers behind its own nginx, sharing the
# test stack's database and keys but with its own tcloud.conf overrides
# (a tiny data_dir, short send deadlines...).  Started by a test, stopped
# (by pid) when it ends.  It is nginx and spawn-fcgi whatever the test
# stack's front (under mod_fcgid too): what it tests is the worker.
package SideStack;
use strict;
use warnings;
use Exporter 'import';
use File::Temp qw(tempdir);
use IO::Socket::INET;
use Time::HiRes qw(sleep);

our @EXPORT = qw(side_stack);

sub free_port {
	my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => '127.0.0.1', LocalPort => 0)
	    or die "no free port: $!";
	my $p = $s->sockport;
	close $s;
	return $p;
}

sub slurp { open my $fh, '<', $_[0] or return ''; local $/; my $d = <$fh>; close $fh; $d // '' }

# side_stack(conf => { key => value }, workers => N, dir => DIR,
# nginx_edit => sub { $_[0] =~ s/../../ } to alter its nginx.conf): returns an
# object with url(), dir() and stop().  dir, if given, must exist (e.g. a
# mount point); data_dir defaults to DIR/data.
sub side_stack {
	my (%o) = @_;
	my $S = $ENV{TCLOUD_STATE} or die 'TCLOUD_STATE is not set';
	my $root = $ENV{TCLOUD_ROOT} or die 'TCLOUD_ROOT is not set';
	my $dir = $o{dir} // tempdir(CLEANUP => 1);
	mkdir "$dir/$_" for qw(run log nginx);
	mkdir "$dir/nginx/body";
	chmod 0700, $dir, "$dir/nginx", "$dir/nginx/body";
	my %conf = (data_dir => "$dir/data", log_file => "$dir/log/tcloud.log", %{ $o{conf} // {} });
	my $text = '';
	for my $line (split /\n/, slurp("$S/tcloud.conf")) {
		next if $line =~ /^\s*(\w+)\s*=/ && exists $conf{$1};
		$text .= "$line\n";
	}
	$text .= "$_ = $conf{$_}\n" for sort keys %conf;
	open my $fh, '>', "$dir/tcloud.conf" or die "$dir/tcloud.conf: $!";
	print $fh $text;
	close $fh;
	chmod 0600, "$dir/tcloud.conf";
	# The side workers run as this user (under mod_fcgid TCLOUD_CTL
	# runs tcloudctl as the site's user: not here).
	system("$S/build/tcloudctl -c $dir/tcloud.conf init >/dev/null 2>&1") == 0 or die 'side init failed';
	my $n = $o{workers} // 2;
	system("spawn-fcgi -s $dir/run/tcloud.sock -M 0600 -F $n -P $dir/run/tcloud.pid "
	    . "-- $S/build/tcloud.fcgi -c $dir/tcloud.conf >/dev/null") == 0
	    or die 'side spawn-fcgi failed';
	my ($port, $uport) = (free_port(), free_port());
	my $user = $> == 0 ? 'user root root;' : '';
	my $ng = slurp("$root/conf/nginx-dev.conf.in");
	$ng =~ s/\@STATE\@/$dir/g;
	$ng =~ s/\@PORT\@/$port/g;
	$ng =~ s/\@UNBUFFERED_PORT\@/$uport/g;
	$ng =~ s/\@ROOT\@/$root/g;
	$ng =~ s/\@USER_LINE\@/$user/g;
	$ng =~ s/\@MAX_BODY\@/2049m/g;
	$o{nginx_edit}->($ng) if $o{nginx_edit};
	open $fh, '>', "$dir/nginx.conf" or die;
	print $fh $ng;
	close $fh;
	system("nginx -p $dir/nginx -c $dir/nginx.conf 2>>$dir/log/nginx-error.log") == 0
	    or die 'side nginx failed: ' . slurp("$dir/log/nginx-error.log");
	my $self = bless { dir => $dir, url => "http://127.0.0.1:$port" }, __PACKAGE__;
	for (1 .. 100) {
		last if `curl -s -o /dev/null -w '%{http_code}' $self->{url}/api/health` eq '200';
		sleep 0.1;
	}
	return $self;
}

sub url { $_[0]{url} . ($_[1] // '') }
sub dir { $_[0]{dir} }
sub workers { my $p = slurp("$_[0]{dir}/run/tcloud.pid"); grep { /^\d+$/ } split /\s+/, $p }

sub stop {
	my ($self) = @_;
	return if $self->{stopped}++;
	my $ng = slurp("$self->{dir}/run/nginx.pid");
	my @pids = ($self->workers, ($ng =~ /(\d+)/ ? $1 : ()));
	kill 'TERM', @pids;
	for (1 .. 50) {
		last unless grep { kill 0, $_ and slurp("/proc/$_/status") !~ /^State:\s+Z/m } @pids;
		sleep 0.1;
	}
}

sub DESTROY { $_[0]->stop }

1;
