// Package privacyrule holds the privacy commands: the Privacy Rule's
// requests (access, amendment, accounting), complaints and the notice of
// privacy practices. It adds them to cli's registry from init; cmd/ward
// imports the package for that.
package privacyrule
