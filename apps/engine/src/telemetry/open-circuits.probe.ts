import { CircuitBreakers } from '@hookflow/actions';
import { HookflowMetrics } from '@hookflow/telemetry';
import { Injectable, OnModuleInit } from '@nestjs/common';

/** `hookflow_circuit_breakers_open`: this process's breakers (each engine keeps its own), read at scrape time. */
@Injectable()
export class OpenCircuitsProbe implements OnModuleInit {
  constructor(
    private readonly metrics: HookflowMetrics,
    private readonly circuits: CircuitBreakers,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(() => this.metrics.setOpenCircuits(this.circuits.openCount()));
  }
}
