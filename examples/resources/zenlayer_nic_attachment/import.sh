# An attachment is imported by its ID, <nic_id>:<instance_id>:
terraform import zenlayer_nic_attachment.app nic-app-1:ins-web-1

# or by the NIC ID alone; the provider looks up the instance the NIC is attached to:
terraform import zenlayer_nic_attachment.app nic-app-1
