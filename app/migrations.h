/* Schema migrations compiled into tcloudctl (schema/embed.sh). */
#ifndef MIGRATIONS_H
#define MIGRATIONS_H
struct migration {
	int		 version;
	const char	*name;
	const char	*sql;	/* statements, each ending with ";\n" */
};
extern const struct migration migrations[];
extern const unsigned long nmigrations;
#endif
