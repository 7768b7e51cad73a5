// Package workforce holds the policy and training commands and the
// reports on them (report policies, report workforce). Each file adds its
// commands to cli's registry from init; cmd/ward imports the package for
// that.
package workforce
