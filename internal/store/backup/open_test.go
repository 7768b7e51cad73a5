package backup_test

import "ward/internal/store/storetest"

// The engines the backups are made on and restored into.
var (
	openSQLite   = storetest.OpenSQLite
	openPostgres = storetest.OpenPostgres
)
