package notify

import "net/mail"

// parseAddress is the bare address of "Name <a@b>" or "a@b".
func parseAddress(s string) (string, error) {
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", err
	}
	return a.Address, nil
}
