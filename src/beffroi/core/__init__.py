"""Tenancy (communes), team roles, audit trail and cross-cutting web helpers."""
