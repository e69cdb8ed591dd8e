-- TCloud schema, migration 1: the whole system of SPEC.md.
-- Names are VARBINARY so that uniqueness and sorting are byte-exact and
-- case-sensitive (SPEC §2); the app validates them as UTF-8 before insert.
-- folders.parent_id carries no foreign key: InnoDB stops cascading at 15
-- levels, so subtree deletes are done by the app with a recursive CTE.

CREATE TABLE users (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  username VARCHAR(32) CHARACTER SET ascii COLLATE ascii_general_ci NOT NULL,
  email VARCHAR(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL,
  password_hash VARCHAR(255) CHARACTER SET ascii NOT NULL,
  role ENUM('user','admin') NOT NULL DEFAULT 'user',
  status ENUM('pending','active','suspended') NOT NULL DEFAULT 'pending',
  quota_bytes BIGINT NOT NULL,
  used_bytes BIGINT NOT NULL DEFAULT 0,
  tokens_valid_after BIGINT NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  last_login_at DATETIME NULL,
  UNIQUE KEY users_username (username),
  UNIQUE KEY users_email (email),
  KEY users_status (status),
  CONSTRAINT users_used_nonneg CHECK (used_bytes >= 0)
) ENGINE=InnoDB;

CREATE TABLE api_keys (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  name VARBINARY(255) NOT NULL,
  key_hash BINARY(32) NOT NULL,
  read_only TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  last_used_at DATETIME NULL,
  expires_at DATETIME NULL,
  UNIQUE KEY api_keys_hash (key_hash),
  UNIQUE KEY api_keys_name (user_id, name),
  KEY api_keys_user (user_id, id),
  CONSTRAINT api_keys_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE folders (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  parent_id BIGINT NULL,
  parent_key BIGINT AS (IFNULL(parent_id, 0)) STORED,
  name VARBINARY(255) NOT NULL,
  created_at DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  updated_at DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY folders_name (user_id, parent_key, name),
  KEY folders_parent (parent_id),
  CONSTRAINT folders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE files (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  folder_id BIGINT NULL,
  folder_key BIGINT AS (IFNULL(folder_id, 0)) STORED,
  name VARBINARY(255) NOT NULL,
  size BIGINT NOT NULL,
  mime_type VARCHAR(255) CHARACTER SET ascii NOT NULL,
  blob_id BINARY(16) NOT NULL,
  kek_id INT UNSIGNED NOT NULL,
  created_at DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  updated_at DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY files_name (user_id, folder_key, name),
  UNIQUE KEY files_blob (blob_id),
  KEY files_folder (folder_id),
  CONSTRAINT files_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT files_folder_fk FOREIGN KEY (folder_id) REFERENCES folders (id) ON DELETE CASCADE,
  CONSTRAINT files_size_nonneg CHECK (size >= 0)
) ENGINE=InnoDB;

CREATE TABLE shares (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  file_id BIGINT NOT NULL,
  owner_id BIGINT NOT NULL,
  recipient_id BIGINT NOT NULL,
  created_at DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY shares_pair (file_id, recipient_id),
  KEY shares_owner (owner_id, id),
  KEY shares_recipient (recipient_id, id),
  CONSTRAINT shares_file_fk FOREIGN KEY (file_id) REFERENCES files (id) ON DELETE CASCADE,
  CONSTRAINT shares_owner_fk FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT shares_recipient_fk FOREIGN KEY (recipient_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB;

CREATE TABLE share_links (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  owner_id BIGINT NOT NULL,
  file_id BIGINT NULL,
  folder_id BIGINT NULL,
  token_hash BINARY(32) NOT NULL,
  token_enc VARBINARY(128) NOT NULL,
  allow_download TINYINT(1) NOT NULL DEFAULT 1,
  expires_at DATETIME NULL,
  password_hash VARCHAR(255) CHARACTER SET ascii NULL,
  max_downloads BIGINT NULL,
  downloads BIGINT NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  updated_at DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  UNIQUE KEY share_links_token (token_hash),
  UNIQUE KEY share_links_file (file_id),
  UNIQUE KEY share_links_folder (folder_id),
  KEY share_links_owner (owner_id),
  CONSTRAINT share_links_owner_fk FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE CASCADE,
  CONSTRAINT share_links_file_fk FOREIGN KEY (file_id) REFERENCES files (id) ON DELETE CASCADE,
  CONSTRAINT share_links_folder_fk FOREIGN KEY (folder_id) REFERENCES folders (id) ON DELETE CASCADE,
  CONSTRAINT share_links_one_object CHECK ((file_id IS NULL) <> (folder_id IS NULL))
) ENGINE=InnoDB;

-- The audit log keeps actor names as text: it outlives the users it names.
CREATE TABLE audit_log (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  created_at DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  actor_id BIGINT NULL,
  actor VARCHAR(64) CHARACTER SET utf8mb4 NULL,
  action VARCHAR(64) CHARACTER SET ascii NOT NULL,
  target_type VARCHAR(32) CHARACTER SET ascii NULL,
  target_id BIGINT NULL,
  ip VARCHAR(64) CHARACTER SET ascii NULL,
  details TEXT CHARACTER SET utf8mb4 NULL,
  KEY audit_action (action, id),
  KEY audit_actor (actor, id),
  KEY audit_created (created_at)
) ENGINE=InnoDB;

-- Failed attempts (logins by username and by IP, link passwords), counted
-- here so that limits hold across workers and hosts (SPEC §3).
CREATE TABLE auth_failures (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  kind ENUM('user','ip','link') NOT NULL,
  subject VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,
  created_at DATETIME NOT NULL DEFAULT UTC_TIMESTAMP(),
  KEY auth_failures_lookup (kind, subject, created_at)
) ENGINE=InnoDB;

-- Logged-out JWTs, denied until they would have expired anyway.
CREATE TABLE revoked_tokens (
  jti VARCHAR(64) CHARACTER SET ascii NOT NULL PRIMARY KEY,
  expires_at DATETIME NOT NULL,
  KEY revoked_tokens_exp (expires_at)
) ENGINE=InnoDB;
