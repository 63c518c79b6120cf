"""The ``pathways`` command line."""

from __future__ import annotations

import click

from .audit import audit_command
from .check import check_command
from .dataquality import data_quality_command
from .diagram import render_command
from .eligibility import eligibility_command, whatif_command
from .export import export_command
from .exportstd import export_standard_group
from .generate import generate_command
from .impact import impact_command
from .importcmd import import_command
from .jobs import jobs_group, worker_command
from .keyposts import key_posts_group, key_posts_report_command
from .library import publish_command, rollback_command, versions_command
from .listing import list_command
from .report import report_group
from .report_cascade import cascade_command
from .report_compliance import compliance_command
from .review import draft_group, review_group
from .route import route_command
from .schema import schema_command
from .serve import serve_command
from .sources import sources_command
from .testcmd import test_cases_command
from .users import demo_users_command, users_group
from .verify import verify_command

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="career-pathways")
def cli() -> None:
    """Career pathways and accreditation: check pathway libraries, decide eligibility."""


cli.add_command(check_command)
cli.add_command(sources_command)
cli.add_command(verify_command)
cli.add_command(impact_command)
report_group.add_command(compliance_command)
report_group.add_command(cascade_command)
report_group.add_command(key_posts_report_command)
cli.add_command(report_group)
cli.add_command(data_quality_command)
cli.add_command(eligibility_command)
cli.add_command(whatif_command)
cli.add_command(route_command)
cli.add_command(import_command)
cli.add_command(list_command)
cli.add_command(schema_command)
cli.add_command(test_cases_command)
cli.add_command(publish_command)
cli.add_command(versions_command)
cli.add_command(rollback_command)
cli.add_command(draft_group)
cli.add_command(audit_command)
cli.add_command(review_group)
cli.add_command(export_command)
cli.add_command(export_standard_group)
cli.add_command(generate_command)
cli.add_command(render_command)
cli.add_command(serve_command)
cli.add_command(worker_command)
cli.add_command(jobs_group)
cli.add_command(users_group)
cli.add_command(key_posts_group)
cli.add_command(demo_users_command)


def main() -> None:
    cli()
