package imports

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"ward/internal/importer/prowler"
)

// BenchmarkImportProwler is the whole `ward import prowler` of a 20 MB
// synthetic OCSF file into a fresh SQLite database (bench/prowler runs
// the same at any size against the decode floor).
func BenchmarkImportProwler(b *testing.B) {
	b.Setenv("WARD_ACTOR", "bench")
	dir := b.TempDir()
	file := filepath.Join(dir, "scan.ocsf.json")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := prowler.WriteSynthetic(f, 20e6, 1, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	f.Close()
	st, _ := os.Stat(file)
	b.SetBytes(st.Size())
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		db := filepath.Join(dir, "ward"+string(rune('a'+i%26))+time.Now().Format("150405.000000")+".db")
		mustWard(b, db, "apply", "-f", demoDir)
		b.StartTimer()
		mustWard(b, db, "import", "prowler", file)
	}
}
