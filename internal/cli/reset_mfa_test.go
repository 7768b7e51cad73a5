package cli_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"ward/internal/store"
	"ward/internal/store/storetest"
)

// TestResetMFARetiresPasskeys: `ward user reset-mfa` takes every second
// step away, on both engines: the authenticator app, the recovery codes
// and the passkeys (kept, retired), each on the accounts' trail; a
// second run says nothing changed.
func TestResetMFARetiresPasskeys(t *testing.T) {
	t.Setenv("WARD_ACTOR", "ops@msp.example")
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			t.Setenv("WARD_BLOBS", t.TempDir())
			db := eng.URL(t)
			tinyOrg(t, db)
			mustWardAt(t, db, "", "user", "add", "dana@tiny.example", "--role", "admin")
			ctx := context.Background()
			st, err := store.Open(ctx, db, store.Options{BlobDir: os.Getenv("WARD_BLOBS")})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			u, err := st.UserByEmail(ctx, "dana@tiny.example")
			if err != nil {
				t.Fatal(err)
			}
			for i, name := range []string{"laptop", "key"} {
				if _, err := st.AddPasskey(ctx, u.Email, u.ID, store.Passkey{Name: name, RPID: "ward.example", CredentialID: "cred" + string(rune('a'+i)), Credential: []byte("{}")}); err != nil {
					t.Fatal(err)
				}
			}
			if err := st.RenewRecovery(ctx, u.Email, u.ID, []string{"r1", "r2"}); err != nil {
				t.Fatal(err)
			}
			out := mustWardAt(t, db, "", "user", "reset-mfa", "dana@tiny.example")
			if !strings.Contains(out, "2 passkey(s) removed") {
				t.Errorf("reset-mfa said %q", out)
			}
			if mfa, _ := st.MFA(ctx, u.ID); mfa.On() || mfa.Passkeys != 0 || mfa.RecoveryLeft != 0 {
				t.Errorf("after reset-mfa: %+v", mfa)
			}
			log, _ := st.AccountLog(ctx, u.Email, 1, 0)
			if len(log) != 1 || log[0].Action != store.EventPasskeyReset || log[0].Actor != "ops@msp.example" {
				t.Errorf("the trail's last entry: %+v", log)
			}
			if out := mustWardAt(t, db, "", "user", "reset-mfa", "dana@tiny.example"); !strings.Contains(out, "nothing changed") {
				t.Errorf("a second reset-mfa said %q", out)
			}
		})
	}
}
