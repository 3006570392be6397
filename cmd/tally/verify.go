package main

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/spf13/cobra"

	"tally/report"
	"tally/sinks"
)

// verifyReport is the --json output of tally verify.
type verifyReport struct {
	Status    string   `json:"status"` // ok or differs
	Dir       string   `json:"dir"`
	Resources int      `json:"resources"`
	Files     int      `json:"files"`
	Rows      int64    `json:"rows"`
	Bytes     int64    `json:"bytes"`
	Problems  []string `json:"problems"`
}

func newVerifyCmd(a *app) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify DIR",
		Short: "Check a release against its datapackage.json",
		Long: `verify re-checks a release that tally run wrote: the manifest against the Data
Package rules, then every file it lists: its size, its sha256, that it reads
back as Parquet, Arrow IPC or CSV with the columns and types of its schema,
and its row count. Files in the folder the manifest does not list are
differences too. Each difference is printed on its own line, naming the file.

Exit codes: 0 the release is as its manifest says; 1 it differs; 3 there is
no readable datapackage.json in DIR.`,
		Example: "  tally verify out/kz-2021",
		Args:    exactArgs(1, "DIR"),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			probs, c, err := sinks.Verify(cmd.Context(), dir)
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					err = fmt.Errorf("%s: no %s here; is it a folder tally run wrote?", dir, sinks.ManifestName)
				}
				return report.InputError(err)
			}
			rep := verifyReport{Status: "ok", Dir: dir, Resources: c.Resources, Files: c.Files, Rows: c.Rows, Bytes: c.Bytes, Problems: []string{}}
			for _, p := range probs {
				rep.Problems = append(rep.Problems, p.String())
			}
			if len(probs) > 0 {
				rep.Status = "differs"
			}
			if asJSON {
				if err := writeJSON(a.stdout, rep); err != nil {
					return err
				}
			} else {
				for _, p := range probs {
					fmt.Fprintf(a.stdout, "%s/%s: %s\n", dir, p.Path, p.Message)
				}
				if len(probs) == 0 {
					fmt.Fprintf(a.stdout, "%s: ok: %d resources, %d files, %s rows, %s bytes as datapackage.json says\n",
						dir, c.Resources, c.Files, group3(c.Rows), group3(c.Bytes))
				} else {
					fmt.Fprintf(a.stdout, "%s: %d difference(s) from datapackage.json\n", dir, len(probs))
				}
			}
			if len(probs) > 0 {
				return &exitError{code: ExitFindings}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the result as JSON")
	return cmd
}
