// Package testkit holds helpers shared by tally's tests and benchmarks:
// generators of realistic result tables of any size, written to a
// temporary folder (large inputs are made, never committed).
package testkit
