// Command profrun runs one tally spec, as tally run does, and writes CPU
// and heap profiles of the run, so the hot path can be looked at on the
// benchmark workloads (see BENCHMARKS.md).
//
//	go run ./bench/profrun -spec S.yaml -out DIR -cpu cpu.out -mem mem.out
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"tally/pipeline"
)

func main() {
	specPath := flag.String("spec", "", "spec to run")
	out := flag.String("out", "", "output folder")
	cpu := flag.String("cpu", "", "write a CPU profile here")
	mem := flag.String("mem", "", "write the heap profile taken when the heap was largest here")
	flag.Parse()
	if err := run(*specPath, *out, *cpu, *mem); err != nil {
		fmt.Fprintln(os.Stderr, "profrun:", err)
		os.Exit(1)
	}
}

func run(specPath, out, cpu, mem string) error {
	spec, err := pipeline.LoadSpec(specPath)
	if err != nil {
		return err
	}
	if cpu != "" {
		f, err := os.Create(cpu)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	stopPeak := make(chan struct{})
	peakDone := make(chan struct{})
	var peak []byte
	go func() {
		// Keeps the heap profile taken when the live heap was largest.
		defer close(peakDone)
		var best uint64
		t := time.NewTicker(500 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stopPeak:
				return
			case <-t.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > best && mem != "" {
					best = ms.HeapAlloc
					var b bytes.Buffer
					pprof.Lookup("heap").WriteTo(&b, 0)
					peak = b.Bytes()
				}
			}
		}
	}()
	sum, err := pipeline.Run(context.Background(), spec, pipeline.Options{Write: out != "", OutDir: out, Force: true})
	close(stopPeak)
	<-peakDone
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "results %d, units %d, findings %d\n", sum.Tables["results"], sum.Tables["units"], sum.FindingCount())
	sum.Close()
	if mem != "" {
		f, err := os.Create(mem)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = f.Write(peak)
		return err
	}
	return nil
}
