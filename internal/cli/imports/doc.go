// Package imports holds ward's import commands: import prowler and import
// csv (scanner findings as evidence) and import trainings and import
// acknowledgements (a learning system's or e-signature tool's roster).
// Each file adds its commands to cli's registry from init; cmd/ward
// imports the package for that.
package imports
