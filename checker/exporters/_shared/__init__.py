"""What the source exporters share (never a source of its own).

    snapshot.py    the snapshot skeleton, gaps, validation against the schema, writing
    paths.py       how a file read is shown in a snapshot and in messages
    iam_policy.py  IAM policy documents -> iam_grants (live AWS and Terraform)
    msk.py         an MSK cluster's default broker configuration (live AWS and Terraform)
    properties.py  java.util.Properties parsing (MSK server.properties, client and MM2 files)
    mm2.py         MirrorMaker 2: how a flow's connector settings become its snapshot fields
                   (topics, naming, checkpoints, ACL/config sync, consumer isolation), for
                   every MM2 reader (mm2.properties, Strimzi, MSK Connect)
    mm2_connectors.py  MirrorMaker 2 run as Connect connectors -> flows (Terraform's MSK
                   Connect; usable for Strimzi KafkaConnectors)

A source package imports from its own package, from here and from checker's core modules,
never from another source.
"""
