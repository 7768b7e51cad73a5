// Package risks holds the risk commands: the register and its analyses,
// the threat and vulnerability libraries, the risk questionnaire and the
// penalty table. Each file adds its commands to cli's registry from init;
// cmd/ward imports the package for that.
package risks
