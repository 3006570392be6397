package sources

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// opener opens one format from a container-free blob.
type opener func(ctx context.Context, b *blob, in Input) (Source, error)

// formats lists every format tally reads, by name.
var formats = map[string]opener{
	"csv":  openCSV,
	"xls":  openXLS,
	"xlsx": openXLSX,
}

// Formats returns the names of the formats tally reads, sorted.
func Formats() []string {
	names := make([]string, 0, len(formats))
	for n := range formats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func lookup(name string) (opener, error) {
	if name == "tsv" || name == "txt" {
		name = "csv"
	}
	if o, ok := formats[name]; ok {
		return o, nil
	}
	return nil, fmt.Errorf("unknown format %q; known: %s", name, strings.Join(Formats(), ", "))
}

// sniffFormat names the format of content by its first bytes, using the
// file name's extension only where the bytes leave it open.
func sniffFormat(head []byte, name string) string {
	switch {
	case isZip(head):
		return "xlsx"
	case len(head) >= 8 && string(head[:8]) == "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
		return "xls"
	case len(head) >= 4 && head[0] == 0x09 && (head[1] == 0x08 || head[1] == 0x04 || head[1] == 0x02) && head[2] <= 0x10:
		// A raw BIFF stream without a compound-file wrapper.
		return "xls"
	}
	return "csv"
}
