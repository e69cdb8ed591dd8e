/* The service layer's rules (app/fs.h) against the test database and a
 * scratch data_dir: the " (n)" rename loop, replace charging only
 * growth, refunds on delete, the cycle check under concurrent moves
 * (two processes, two connections), the depth cap, path resolution,
 * copies with a fresh data key, and a put stream that leaves nothing
 * behind when aborted or refused.  Needs TCLOUD_TEST_DB_SOCKET (as
 * unit-db); skipped without a database. */
#include <dirent.h>
#include <sys/wait.h>

#include "fs-fixture.h"

static long long
left(long long uid)
{
	long long n = -1;

	fs_quota_left(&app, uid, &n);
	return n;
}

static int counted;

static int
count_cb(const char *path, const struct stat *st, int type, struct FTW *f)
{
	(void)path; (void)st; (void)f;
	if (type == FTW_F)
		counted++;
	return 0;
}

/* Regular files under data_dir/sub. */
static int
count_files(const char *sub)
{
	char path[256];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, sub);
	if (strcmp(sub, "tmp") == 0) {
		if ((d = opendir(path)) == NULL)
			return -1;
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.')
				n++;
		closedir(d);
		return n;
	}
	counted = 0;
	nftw(path, count_cb, 8, FTW_PHYS);
	return counted;
}

struct collect {
	char	buf[65536];
	size_t	len;
};

static int
collect(void *arg, const void *buf, size_t len)
{
	struct collect *c = arg;

	if (c->len + len > sizeof(c->buf))
		return -1;
	memcpy(c->buf + c->len, buf, len);
	c->len += len;
	return 0;
}

/* Child: move folder id under parent on its own connection; the outcome
 * is the exit status. */
static void
mover(int go, long long uid, long long id, long long parent)
{
	char c;

	if ((app.db = test_db()) == NULL)
		_exit(100);
	if (read(go, &c, 1) != 1)
		_exit(101);
	_exit(fs_folder_move(&app, uid, id, NULL, parent, NULL));
}

static int
run_movers(long long uid, long long a, long long b, int *ea, int *eb)
{
	int p[2], st;
	pid_t x, y;

	if (pipe(p) == -1)
		return -1;
	if ((x = fork()) == 0)
		mover(p[0], uid, a, b);
	if ((y = fork()) == 0)
		mover(p[0], uid, b, a);
	usleep(100000);	/* both connected */
	if (write(p[1], "gg", 2) != 2)
		return -1;
	close(p[0]);
	close(p[1]);
	waitpid(x, &st, 0);
	*ea = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	waitpid(y, &st, 0);
	*eb = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return 0;
}

int
main(void)
{
	struct fs_folder d1, d2, d3, fa, fb, top;
	struct fs_file f, g, h;
	struct fs_reader *rd;
	struct fs_put *p;
	struct collect col;
	struct db_res *rows;
	enum fs_kind kind;
	const char *why = "";
	long long uid, l0, id, nf, nd;
	int i, ea, eb, cycles = 0, tmp0, blobs0;
	char q[128];

	if (fixture_init("unit-fs", &i))
		return i;
	app.conf.max_upload = 1 << 20;
	app.conf.max_folder_depth = 3;
	app.conf.max_files_per_user = 20;
	app.conf.max_folders_per_user = 50;
	ok((uid = new_user(1000)) > 0, "a user with a 1000-byte quota");

	/* The " (n)" rename loop. */
	ok(put(uid, 0, "a.txt", 10, 'a', FS_RENAME, &f) == FS_OK &&
	    strcmp(f.name, "a.txt") == 0, "first a.txt keeps its name");
	ok(put(uid, 0, "a.txt", 10, 'b', FS_RENAME, &g) == FS_OK,
	    "second a.txt is renamed");
	is_str(g.name, "a (1).txt", "to a (1).txt");
	ok(put(uid, 0, "a.txt", 10, 'c', FS_RENAME, &g) == FS_OK &&
	    strcmp(g.name, "a (2).txt") == 0, "third to a (2).txt");
	is_int(put(uid, 0, "a.txt", 10, 'd', FS_FAIL, &g), FS_EXISTS,
	    "on_conflict fail: FS_EXISTS");
	is_int(left(uid), 970, "30 bytes charged for three files");

	/* Replace charges only growth; a shrink refunds. */
	l0 = left(uid);
	ok(put(uid, 0, "a.txt", 25, 'e', FS_REPLACE, &g) == FS_OK &&
	    g.id == f.id, "replace keeps the file id");
	is_int(left(uid), l0 - 15, "replace 10 -> 25 bytes charges 15");
	ok(put(uid, 0, "a.txt", 5, 'f', FS_REPLACE, &g) == FS_OK,
	    "replace with 5 bytes");
	is_int(left(uid), l0 + 5, "shrinking 25 -> 5 refunds 20");
	ok(fs_file_get(&app, uid, f.id, &h) == FS_OK && h.size == 5 &&
	    memcmp(h.blob, f.blob, 16) != 0, "the row names the new blob");
	ok(fs_open(&app, &f, &rd, &why) == FS_INTERNAL,
	    "the replaced blob is gone");
	/* A replace that cannot grow within quota is refused whole. */
	l0 = left(uid);
	is_int(put(uid, 0, "a.txt", 2000, 'g', FS_REPLACE, &g), FS_QUOTA,
	    "a replace past the quota: FS_QUOTA");
	is_int(left(uid), l0, "and nothing charged");

	/* Delete refunds, then unlinks. */
	ok(put(uid, 0, "del.bin", 100, 'x', FS_FAIL, &f) == FS_OK, "put 100 bytes");
	l0 = left(uid);
	blobs0 = count_files("blobs");
	is_int(fs_file_delete(&app, uid, f.id), FS_OK, "delete it");
	is_int(left(uid), l0 + 100, "the 100 bytes are refunded");
	is_int(count_files("blobs"), blobs0 - 1, "its blob is unlinked");
	is_int(fs_file_delete(&app, uid, f.id), FS_NOT_FOUND, "twice: not found");

	/* Depth cap (3 here). */
	ok(fs_folder_create(&app, uid, 0, "d1", &d1) == FS_OK &&
	    fs_folder_create(&app, uid, d1.id, "d2", &d2) == FS_OK &&
	    fs_folder_create(&app, uid, d2.id, "d3", &d3) == FS_OK,
	    "three levels");
	is_int(fs_folder_create(&app, uid, d3.id, "d4", NULL), FS_TOO_DEEP,
	    "a fourth: FS_TOO_DEEP");
	ok(fs_folder_create(&app, uid, 0, "t", &top) == FS_OK &&
	    fs_folder_create(&app, uid, top.id, "u", NULL) == FS_OK,
	    "a two-level tree");
	is_int(fs_folder_move(&app, uid, top.id, NULL, d2.id, NULL),
	    FS_TOO_DEEP, "moved under level 2 it would reach 4: FS_TOO_DEEP");
	is_int(fs_folder_move(&app, uid, top.id, NULL, d1.id, NULL), FS_OK,
	    "under level 1 it fits");
	is_int(fs_folder_move(&app, uid, d1.id, NULL, d3.id, NULL), FS_CYCLE,
	    "into its own subtree: FS_CYCLE");
	is_int(fs_folder_create(&app, uid, d1.id, "d2", NULL), FS_EXISTS,
	    "a taken folder name: FS_EXISTS");
	is_int(fs_folder_create(&app, uid, 0, "a/b", NULL), FS_BAD_NAME,
	    "a slash: FS_BAD_NAME");
	is_int(fs_folder_check(&app, uid, 999999999), FS_NOT_FOUND,
	    "another's or no folder: FS_NOT_FOUND");

	/* Paths. */
	ok(fs_resolve_path(&app, uid, "/d1/d2/d3", &kind, &id) == FS_OK &&
	    kind == FS_DIR && id == d3.id, "/d1/d2/d3 is folder d3");
	ok(fs_resolve_path(&app, uid, "//d1/t/", &kind, &id) == FS_OK &&
	    kind == FS_DIR && id == top.id, "//d1/t/ is folder t");
	ok(fs_resolve_path(&app, uid, "/a (1).txt", &kind, &id) == FS_OK &&
	    kind == FS_FILE, "/a (1).txt is a file");
	ok(fs_resolve_path(&app, uid, "/", &kind, &id) == FS_OK &&
	    kind == FS_ROOT && id == 0, "/ is the root");
	is_int(fs_resolve_path(&app, uid, "/d1/nope", &kind, &id),
	    FS_NOT_FOUND, "/d1/nope: FS_NOT_FOUND");
	is_int(fs_resolve_path(&app, uid, "/a (1).txt/x", &kind, &id),
	    FS_NOT_FOUND, "below a file: FS_NOT_FOUND");
	ok(fs_folder_path(&app, uid, d3.id, &rows) == FS_OK &&
	    db_rows(rows) == 3, "the path to d3 has 3 folders");
	db_res_free(rows);

	/* Copy: same bytes, a fresh data key (blob id). */
	snprintf(q, sizeof(q), "UPDATE users SET quota_bytes = used_bytes + "
	    "70100 WHERE id = %lld", uid);
	ok(db_exec_text(app.db, q) == 0 &&
	    put(uid, d2.id, "src.bin", 70000, 'k', FS_FAIL, &f) == FS_OK,
	    "a 70000-byte file (two segments), 100 bytes left");
	blobs0 = count_files("blobs");
	{
		struct fs_commit c = { d3.id, NULL, NULL, FS_RENAME };

		is_int(fs_file_copy(&app, uid, f.id, &c, &g), FS_QUOTA,
		    "a copy past the quota: FS_QUOTA");
		is_int(count_files("blobs"), blobs0, "and no blob left");
		snprintf(q, sizeof(q), "UPDATE users SET quota_bytes = 1000000 "
		    "WHERE id = %lld", uid);
		db_exec_text(app.db, q);
		is_int(fs_file_copy(&app, uid, f.id, &c, &g), FS_OK,
		    "with room it copies");
	}
	ok(strcmp(g.name, "src.bin") == 0 && g.folder == d3.id &&
	    g.size == 70000 && memcmp(g.blob, f.blob, 16) != 0,
	    "into d3, same name and size, another blob");
	col.len = 0;
	ok(fs_open(&app, &g, &rd, &why) == FS_OK &&
	    fs_read(rd, 69990, 10, collect, &col, &why) == FS_OK &&
	    col.len == 10 && memcmp(col.buf, "kkkkkkkkkk", 10) == 0,
	    "the copy reads back through the verified open");
	fs_close(rd);

	/* Put stream: abort, and a refused commit, leave nothing. */
	tmp0 = count_files("tmp");
	blobs0 = count_files("blobs");
	l0 = left(uid);
	ok(fs_put_begin(&app, 1 << 20, &p) == FS_OK &&
	    fs_put_write(p, "hello", 5) == FS_OK && fs_put_size(p) == 5 &&
	    count_files("tmp") == tmp0 + 1, "a put stream has a temp blob");
	fs_put_abort(p);
	is_int(count_files("tmp"), tmp0, "abort: no temp blob left");
	is_int(count_files("blobs"), blobs0, "no blob");
	is_int(put(uid, 0, "a (1).txt", 10, 'z', FS_FAIL, NULL), FS_EXISTS,
	    "a finish refused by the commit");
	ok(count_files("tmp") == tmp0 && count_files("blobs") == blobs0 &&
	    left(uid) == l0, "leaves no temp, no blob, no charge");
	ok(fs_put_begin(&app, 8, &p) == FS_OK &&
	    fs_put_write(p, "0123456789", 10) == FS_QUOTA,
	    "a write past the stream's limit: FS_QUOTA");
	fs_put_abort(p);
	is_int(count_files("tmp"), tmp0, "and its abort leaves nothing");

	/* Folder delete: refunds the subtree's bytes, unlinks its blobs. */
	l0 = left(uid);
	blobs0 = count_files("blobs");
	ok(fs_folder_delete(&app, uid, d1.id, &nf, &nd) == FS_OK && nf == 2 &&
	    nd == 5, "delete d1: 2 files, 5 folders (%lld, %lld)", nf, nd);
	is_int(left(uid), l0 + 140000, "140000 bytes refunded");
	is_int(count_files("blobs"), blobs0 - 2, "two blobs unlinked");

	/* Crossing moves from two connections: never a loop. */
	for (i = 0; i < 8; i++) {
		char na[16], nb[16];

		snprintf(na, sizeof(na), "A%d", i);
		snprintf(nb, sizeof(nb), "B%d", i);
		if (fs_folder_create(&app, uid, 0, na, &fa) != FS_OK ||
		    fs_folder_create(&app, uid, 0, nb, &fb) != FS_OK ||
		    run_movers(uid, fa.id, fb.id, &ea, &eb) == -1)
			break;
		if (!((ea == FS_OK && eb == FS_CYCLE) ||
		    (ea == FS_CYCLE && eb == FS_OK)))
			break;
		cycles++;
		if (fs_folder_path(&app, uid, fa.id, &rows) != FS_OK)
			break;
		db_res_free(rows);
		if (fs_folder_path(&app, uid, fb.id, &rows) != FS_OK)
			break;
		db_res_free(rows);
	}
	ok(cycles == 8, "8 rounds of crossing moves: one moves, the other "
	    "is FS_CYCLE, both still reach the root (last: %d, %d)", ea, eb);

	return fixture_done(uid);
}
