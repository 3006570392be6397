package dpcheck

import (
	"strings"
	"testing"
)

// good is a small valid descriptor; each case below breaks one rule of it.
const good = `{
  "$schema": "https://datapackage.org/profiles/2.0/datapackage.json",
  "name": "kz-majilis-2021",
  "created": "2021-01-10T00:00:00Z",
  "resources": [
    {"name": "units-csv", "type": "table", "path": "units.csv", "format": "csv", "mediatype": "text/csv",
     "bytes": 295, "hash": "sha256:3b8f0a5b0c2e6b6f8c7a1f1c1e3a2f8e9d0c4b5a6f7e8d9c0b1a2f3e4d5c6b7a",
     "schema": {"fields": [{"name": "unit_id", "type": "string", "constraints": {"required": true}},
                           {"name": "valid", "type": "integer"}],
                "primaryKey": ["unit_id"]}},
    {"name": "results-csv", "type": "table", "path": ["results/a=1/part-0.csv", "results/a=2/part-0.csv"],
     "format": "csv",
     "schema": {"fields": [{"name": "unit_id", "type": "string"}, {"name": "votes", "type": "integer"}],
                "foreignKeys": [{"fields": ["unit_id"], "reference": {"resource": "units-csv", "fields": ["unit_id"]}}]}}
  ],
  "sources": [{"title": "protocol-long.csv", "tally:hash": "sha256:00"}]
}`

func TestGoodPasses(t *testing.T) {
	if msgs := Check([]byte(good)); len(msgs) != 0 {
		t.Errorf("Check(good) = %q, want nothing", msgs)
	}
}

func TestEachRule(t *testing.T) {
	tests := []struct {
		name, old, new, want string
	}{
		{"v1 profile", `"https://datapackage.org/profiles/2.0/datapackage.json"`, `"https://datapackage.org/profiles/1.0/datapackage.json"`, "$schema"},
		{"package name", `"name": "kz-majilis-2021"`, `"name": "KZ Majilis"`, "package name"},
		{"created", `"2021-01-10T00:00:00Z"`, `"10 January 2021"`, "RFC 3339"},
		{"no resources", `"resources": [`, `"resourcez": [`, "resources must be an array"},
		{"resource name", `"name": "units-csv"`, `"name": "Units.CSV"`, "not lower case"},
		{"duplicate name", `"name": "results-csv"`, `"name": "units-csv"`, "not unique"},
		{"no path", `"path": "units.csv",`, ``, "exactly one of path and data"},
		{"path and data", `"path": "units.csv",`, `"path": "units.csv", "data": [],`, "exactly one of path and data"},
		{"absolute path", `"path": "units.csv"`, `"path": "/etc/units.csv"`, "clean relative"},
		{"parent path", `"path": "units.csv"`, `"path": "../units.csv"`, "leaves the folder"},
		{"hidden path", `"path": "units.csv"`, `"path": ".cache/units.csv"`, "hidden"},
		{"mixed urls", `"results/a=2/part-0.csv"`, `"https://example.org/part-0.csv"`, "mixes URLs"},
		{"hash form", `"hash": "sha256:3b8f`, `"hash": "sha-256:3b8f`, "hash"},
		{"short hash", `6b7a",`, `",`, "hash"},
		{"bytes", `"bytes": 295`, `"bytes": -1`, "whole number"},
		{"no fields", `"schema": {"fields": [{"name": "unit_id", "type": "string", "constraints"`, `"schema": {"fieldz": [{"name": "unit_id", "type": "string", "constraints"`, "schema.fields"},
		{"field type", `{"name": "valid", "type": "integer"}`, `{"name": "valid", "type": "int64"}`, "does not define"},
		{"field twice", `{"name": "valid", "type": "integer"}`, `{"name": "unit_id", "type": "integer"}`, "named twice"},
		{"required type", `{"required": true}`, `{"required": "yes"}`, "not a boolean"},
		{"primary key", `"primaryKey": ["unit_id"]`, `"primaryKey": ["unit"]`, "primary key field"},
		{"foreign key target", `"resource": "units-csv"`, `"resource": "units-parquet"`, "does not have"},
		{"foreign key field", `"reference": {"resource": "units-csv", "fields": ["unit_id"]}`, `"reference": {"resource": "units-csv", "fields": ["valid_id"]}`, "referenced resource does not have"},
		{"foreign key arity", `"fields": ["unit_id"], "reference"`, `"fields": ["unit_id", "votes"], "reference"`, "has 2 fields but its reference 1"},
		{"empty source", `{"title": "protocol-long.csv", "tally:hash": "sha256:00"}`, `{}`, "at least one property"},
		{"type", `"type": "table", "path": "units.csv"`, `"type": "tabular", "path": "units.csv"`, "defines only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("case does not apply: %q not in the good descriptor", tc.old)
			}
			bad := strings.Replace(good, tc.old, tc.new, 1)
			msgs := Check([]byte(bad))
			found := false
			for _, m := range msgs {
				if strings.Contains(m, tc.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("Check = %q, want a message containing %q", msgs, tc.want)
			}
		})
	}
}

func TestNotJSON(t *testing.T) {
	for _, in := range []string{`{"resources": [`, `[1, 2]`, ``} {
		if msgs := Check([]byte(in)); len(msgs) == 0 {
			t.Errorf("Check(%q) passed", in)
		}
	}
}
