package sinks

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// BenchmarkWrite writes 64k-row batches of a results-like table in each
// format. MB/s counts the Arrow buffer bytes written.
func BenchmarkWrite(b *testing.B) {
	mem := memory.NewGoAllocator()
	parties := make([]string, 4096)
	votes := make([]int64, 4096)
	for i := range parties {
		parties[i] = fmt.Sprintf("Партия %d", i%12)
		votes[i] = int64(i * 7 % 3000)
	}
	batch := batch(mem, parties, votes)
	defer batch.Release()
	var size int64
	for _, c := range batch.Columns() {
		for _, buf := range c.Data().Buffers() {
			if buf != nil {
				size += int64(buf.Len())
			}
		}
	}
	for _, format := range Formats() {
		b.Run(format, func(b *testing.B) {
			dir := b.TempDir()
			b.SetBytes(size * 16)
			b.ReportAllocs()
			for b.Loop() {
				s, err := Create(format, filepath.Join(dir, "t"+Ext(format)), testSchema, nil, Options{})
				if err != nil {
					b.Fatal(err)
				}
				for range 16 {
					if err := s.Write(context.Background(), batch); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
