"""The call-center brain behind a PBX: CTI events, call records, ACD queues and routing, IVR menus, agent states."""
