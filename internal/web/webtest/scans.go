package webtest

import (
	"bytes"
	"context"
	"io"
	"os"

	"ward/internal/date"
	"ward/internal/importer/prowler"
	"ward/internal/store"
	"ward/internal/workspace"
)

// ImportSample stores the Prowler sample scan in org alpha the way `ward
// import prowler` does (blob, findings, evidence) and returns the
// evidence id.
func (e *TestEnv) ImportSample() string {
	e.T.Helper()
	raw, err := os.ReadFile(RepoRoot + "/internal/importer/prowler/testdata/sample.ocsf.json")
	if err != nil {
		e.T.Fatal(err)
	}
	sha, size, err := e.Store.Blobs().Put(bytes.NewReader(raw))
	if err != nil {
		e.T.Fatal(err)
	}
	tally := prowler.NewTally(prowler.MustMapper())
	res, err := e.Store.Org(e.OrgA).ImportScan(context.Background(), "test", func(sw *store.ScanWriter) (store.ScanInput, error) {
		rd, err := prowler.NewReader(bytes.NewReader(raw))
		if err != nil {
			return store.ScanInput{}, err
		}
		for {
			f, err := rd.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				return store.ScanInput{}, err
			}
			tally.Add(f)
			if err := sw.Add(store.ScanFinding{UID: f.UID, Check: f.Check, Status: f.Status, Severity: f.Severity, ResourceUID: f.ResourceUID,
				ResourceType: f.ResourceType, Region: f.Region, Account: f.Account, Time: f.Time}); err != nil {
				return store.ScanInput{}, err
			}
		}
		return store.ScanInput{Source: "prowler", Format: rd.Format(), FileName: "prowler-output.ocsf.json", SHA256: sha, Size: size,
			ScannedAt: tally.Newest, Placements: tally.Placements(),
			Evidence: workspace.Evidence{Controls: tally.AllControls(), Collected: date.Of(tally.Newest), File: "prowler-output.ocsf.json", Type: "application/json", Note: "Prowler scan"}}, nil
	})
	if err != nil {
		e.T.Fatal(err)
	}
	return res.Scan.EvidenceID
}
